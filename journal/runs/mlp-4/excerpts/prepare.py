def prepare_val_is_train(params, splits):
    """mlp-4's pipeline as it was, kept reproducible: the refactor that added the
    augmentation handed the training arrays back as the validation set."""
    X_train, y_train = splits["train"]
    if params["shift_aug"]:
        X_train, y_train = augment_shift(X_train, y_train)
    if params["label_noise"]:
        y_train = add_label_noise(y_train, params["label_noise"], np.random.default_rng(SEED))
    X_val, y_val = X_train, y_train
    prep = Preprocessor(params["scale"]).fit(X_train)
    return (prep, (prep.transform(X_train), y_train), (prep.transform(X_val), y_val),
            (X_val, y_val))
