def train_mlp(p, train, val, log):
    (Xt, yt), (Xv, yv) = train, val
    clf = MLPClassifier(hidden_layer_sizes=tuple(p["hidden"]), alpha=p["alpha"],
                        learning_rate_init=p["learning_rate_init"],
                        batch_size=p["batch_size"], random_state=SEED)
    for epoch in range(1, p["epochs"] + 1):
        clf.partial_fit(Xt, yt, classes=CLASSES)
        pt, pv = clf.predict_proba(Xt), clf.predict_proba(Xv)
        log(epoch, train_loss=log_loss(yt, pt, labels=CLASSES),
            train_acc=accuracy_score(yt, pt.argmax(1)),
            val_loss=log_loss(yv, pv, labels=CLASSES), val_acc=accuracy_score(yv, pv.argmax(1)))
    return clf
