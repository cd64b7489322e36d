def train_mlp_early_stopping(p, train, val, log):
    """mlp-8 on: stop when val_loss has not improved for `early_stopping_patience`
    epochs, and keep the model of the best epoch."""
    (Xt, yt), (Xv, yv) = train, val
    clf = MLPClassifier(hidden_layer_sizes=tuple(p["hidden"]), alpha=p["alpha"],
                        learning_rate_init=p["learning_rate_init"],
                        batch_size=p["batch_size"], random_state=SEED)
    patience = p["early_stopping_patience"]
    best, best_loss, bad = None, np.inf, 0
    for epoch in range(1, p["epochs"] + 1):
        clf.partial_fit(Xt, yt, classes=CLASSES)
        pt, pv = clf.predict_proba(Xt), clf.predict_proba(Xv)
        vloss = log_loss(yv, pv, labels=CLASSES)
        log(epoch, train_loss=log_loss(yt, pt, labels=CLASSES),
            train_acc=accuracy_score(yt, pt.argmax(1)),
            val_loss=vloss, val_acc=accuracy_score(yv, pv.argmax(1)))
        if vloss < best_loss:
            best, best_loss, bad = copy.deepcopy(clf), vloss, 0
            best.best_epoch_ = epoch
        else:
            bad += 1
            if bad >= patience:
                print(f"  early stop at epoch {epoch}, best epoch {best.best_epoch_}")
                break
    return best
