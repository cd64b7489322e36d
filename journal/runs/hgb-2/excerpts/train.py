def train_hgb(p, train, val, log):
    (Xt, yt), (Xv, yv) = train, val
    clf = HistGradientBoostingClassifier(
        learning_rate=p["learning_rate"], max_iter=p["max_iter"],
        max_leaf_nodes=p["max_leaf_nodes"], l2_regularization=p["l2_regularization"],
        early_stopping=False, random_state=SEED)
    clf.fit(Xt, yt)
    every = p["eval_every"]
    stages_v = clf.staged_predict_proba(Xv)
    for it, pt in enumerate(clf.staged_predict_proba(Xt), start=1):
        pv = next(stages_v)
        row = {"train_loss": log_loss(yt, pt, labels=CLASSES),
               "train_acc": accuracy_score(yt, pt.argmax(1))}
        if it % every == 0 or it == clf.n_iter_:  # validation only every few iterations
            row.update(val_loss=log_loss(yv, pv, labels=CLASSES),
                       val_acc=accuracy_score(yv, pv.argmax(1)))
        log(it, **row)
    return clf
