def train_linear(p, train, val, log):
    (Xt, yt), (Xv, yv) = train, val
    clf = SGDClassifier(loss="log_loss", alpha=p["alpha"], learning_rate=p["learning_rate"],
                        eta0=p["eta0"], random_state=SEED)
    for epoch in range(1, p["epochs"] + 1):
        clf.partial_fit(Xt, yt, classes=CLASSES)
        pt, pv = clf.predict_proba(Xt), clf.predict_proba(Xv)
        # accuracy from predict() (the decision function): with raw pixels the
        # one-vs-rest probabilities saturate at 1.0 and argmax would break ties
        log(epoch, train_loss=log_loss(yt, pt, labels=CLASSES),
            train_acc=accuracy_score(yt, clf.predict(Xt)),
            val_loss=log_loss(yv, pv, labels=CLASSES),
            val_acc=accuracy_score(yv, clf.predict(Xv)))
    return clf
