def prepare(params, splits):
    """Returns (preprocessor, train, val, raw val images) for one model."""
    X_train, y_train = splits["train"]
    if params["shift_aug"]:
        X_train, y_train = augment_shift(X_train, y_train)
    if params["label_noise"]:
        y_train = add_label_noise(y_train, params["label_noise"], np.random.default_rng(SEED))
    X_val, y_val = splits["val"]
    prep = Preprocessor(params["scale"]).fit(X_train)
    return (prep, (prep.transform(X_train), y_train), (prep.transform(X_val), y_val),
            (X_val, y_val))
