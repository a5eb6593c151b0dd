"""voc.risk on the conventions of docs/conventions.md: roles read from a table, ``missing=``, dtype errors
naming the argument, missing columns, typed results, Arrow export of its tables, and the scikit-learn
estimator ``ChurnClassifier`` (in ``Pipeline``, ``cross_val_score`` and ``GridSearchCV``, cross-checked
against ``LogisticRegression``)."""

from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

import voc
from test_risk import COEF_TOL, logistic_data, sk_lbfgs


@pytest.fixture(scope="module")
def xy() -> tuple[np.ndarray, np.ndarray]:
    return logistic_data()


def test_risk_tables_export_arrow(xy: tuple[np.ndarray, np.ndarray]) -> None:
    X, y = xy
    df = pd.DataFrame(X, columns=list("abcde")).assign(customer_id=np.arange(len(y)), value=np.linspace(50, 500, len(y)))
    m = voc.risk.fit_logistic(df, x=list("abcde"), y=y, penalty="none")
    p = m.predict_proba(df)
    tables = [m.summary(), voc.risk.lift(y=y, scores=p), voc.risk.calibration(y=y, scores=p),
              voc.risk.alerts(df, model=m, value="value", capacity=20),
              voc.risk.cross_validate(x=X, y=y, k=3).table]
    for t in tables:
        at = pa.table(t)
        assert at.column_names == t.columns and at.num_rows == len(t)
        assert pl.DataFrame(t).columns == t.columns


# --- the conventions: roles, missing=, dtypes, missing columns, typed results ---


def test_roles_read_columns_of_data(xy: tuple[np.ndarray, np.ndarray]) -> None:
    X, y = xy
    w = 0.5 + (np.arange(len(y)) % 3)
    df = pd.DataFrame(X, columns=list("abcde")).assign(churned=y, w=w, customer_id=np.arange(len(y)))
    ref = voc.risk.fit_logistic(x=X, y=y, weights=w)
    # Without x: every column but customer_id and the columns the other roles name.
    m = voc.risk.fit_logistic(df, y="churned", weights="w")
    assert m.names == list("abcde") and m.coef == ref.coef
    picked = voc.risk.fit_logistic(df, x=["a", "c"], y="churned")
    assert picked.names == ["a", "c"]
    assert picked.coef == voc.risk.fit_logistic(x=X[:, [0, 2]], y=y).coef
    for frame in (pl.from_pandas(df), pa.Table.from_pandas(df, preserve_index=False), {c: df[c].to_numpy() for c in df}):
        assert voc.risk.fit_logistic(frame, y="churned", weights="w").coef == ref.coef
    p = m.predict_proba(df)
    scored = df.assign(p=p)
    assert voc.risk.roc_auc(scored, y="churned", scores="p") == voc.risk.roc_auc(y=y, scores=p)
    assert voc.risk.evaluate(scored, y="churned", scores="p") == voc.risk.evaluate(y=y, scores=p)
    assert voc.risk.lift(scored, y="churned", scores="p", bins=4)["n"].tolist() == [150] * 4
    cv = voc.risk.cross_validate(df, y="churned", weights="w", k=3, seed=1)
    assert cv == voc.risk.cross_validate(x=X, y=y, weights=w, k=3, seed=1)
    with pytest.raises(voc.ColumnNotFoundError) as exc:
        voc.risk.fit_logistic(df, y="nope")
    assert isinstance(exc.value, KeyError) and exc.value.arg == "y" and exc.value.value == "nope"
    with pytest.raises(voc.ColumnNotFoundError, match="no such column") as exc:
        voc.risk.fit_logistic(df, x=["a", "zz"], y="churned")
    assert isinstance(exc.value, KeyError) and (exc.value.arg, exc.value.value) == ("x", "zz")
    with pytest.raises(voc.InvalidOptionError, match="x names columns"):
        voc.risk.fit_logistic(x=["a", "b"], y=y)


def test_missing_skip_leaves_rows_out_and_counts_them(xy: tuple[np.ndarray, np.ndarray]) -> None:
    X, y = xy
    Xn, yn, w = X.copy(), y.copy(), np.ones(len(y))
    Xn[3, 1] = np.nan
    Xn[40, 4] = np.nan
    yn[7] = np.nan
    w[9] = np.nan
    m = voc.risk.fit_logistic(x=Xn, y=yn, weights=w, missing="skip")
    keep = np.ones(len(y), bool)
    keep[[3, 40, 7, 9]] = False
    ref = voc.risk.fit_logistic(x=X[keep], y=y[keep])
    assert (m.n, m.n_missing, m.missing) == (keep.sum(), 4, "skip")
    assert m.coef == ref.coef and m.intercept == ref.intercept
    back = pickle.loads(pickle.dumps(m))
    assert back == m and back.n_missing == 4 and voc.risk.LogisticModel.from_bytes(m.to_bytes()).n_missing == 4
    with pytest.raises(voc.MissingValueError, match=r'x\[row 3, column "x1"\]'):
        m.predict_proba(Xn)  # skipping is for fitting: a prediction needs every feature
    with pytest.raises(voc.MissingValueError) as exc:
        voc.risk.fit_logistic(x=X, y=yn)
    assert (exc.value.arg, exc.value.index) == ("y", 7)
    cv = voc.risk.cross_validate(x=Xn, y=yn, weights=w, missing="skip", k=3, seed=2)
    assert (cv.n, cv.n_missing) == (keep.sum(), 4)
    assert list(cv.fold[[3, 7, 9, 40]]) == [-1] * 4 and np.isnan(cv.out_of_fold_probability[[3, 7, 9, 40]]).all()
    # Nulls in tables are missing values too.
    df = pd.DataFrame({"a": pd.array([1.0, None, 3.0, 0.5, 2.0, 4.0], dtype="Float64"), "churned": [0, 1, 1, 0, 0, 1]})
    assert voc.risk.fit_logistic(df, y="churned", missing="skip").n_missing == 1


@pytest.mark.parametrize(
    "bad",
    [
        np.array([1 + 2j, 3 + 0j, 2 - 1j, 4 + 1j, 0j, 5j]),
        np.array(["2024-01-01", "2024-02-01", "2024-03-01", "2024-04-01", "2024-05-01", "2024-06-01"], dtype="datetime64[D]"),
        np.array(["1.5", "2", "3", "4", "5", "6"]),
        ["1.5", "2", "3", "4", "5", "6"],
        pd.Series(pd.to_datetime(["2024-01-01"] * 6)),
        pd.Series(["1.5", "2", "3", "4", "5", "6"]),
        pl.Series(["1.5", "2", "3", "4", "5", "6"]),
    ],
    ids=["complex", "datetime64", "numeric-strings", "list-of-strings", "pandas-datetime", "pandas-strings", "polars-strings"],
)
def test_non_numeric_inputs_are_dtype_errors(bad: object) -> None:
    y = np.array([0, 1, 0, 1, 0, 1], dtype=float)
    good = np.array([0.1, 0.9, 0.2, 0.7, 0.3, 0.8])
    # A feature column of a table: the error names the column.
    with pytest.raises(voc.DtypeError) as exc:
        voc.risk.fit_logistic({"a": good, "when": bad}, y=y)
    assert exc.value.arg == "x" and "column 'when' of x" in str(exc.value)
    assert isinstance(exc.value, TypeError)
    # Labels, scores, weights, values.
    for call, arg in [
        (lambda: voc.risk.fit_logistic(x=good[:, None], y=bad), "y"),
        (lambda: voc.risk.fit_logistic(x=good[:, None], y=y, weights=bad), "weights"),
        (lambda: voc.risk.roc_auc(y=y, scores=bad), "scores"),
        (lambda: voc.risk.evaluate(y=bad, scores=good), "y"),
        (lambda: voc.risk.threshold_top_k(bad, k=2), "scores"),
    ]:
        with pytest.raises(voc.DtypeError) as exc:
            call()
        assert exc.value.arg == arg, (arg, str(exc.value))
    m = voc.risk.fit_logistic(x=good[:, None], y=y)
    with pytest.raises(voc.DtypeError) as exc:
        voc.risk.alerts({"x0": good}, model=m, value=bad)
    assert exc.value.arg == "value"


@pytest.mark.parametrize(
    "bad",
    [np.array([[1 + 1j, 2], [3, 4]]), np.array([["1", "2"], ["3", "4"]]), [["1", "2"], ["3", "4"]],
     np.array([["2024-01-01", "2024-01-02"], ["2024-01-03", "2024-01-04"]], dtype="datetime64[D]")],
    ids=["complex", "strings", "list-of-strings", "datetime64"],
)
def test_non_numeric_matrices_are_dtype_errors(bad: object) -> None:
    with pytest.raises(voc.DtypeError) as exc:
        voc.risk.fit_logistic(x=bad, y=[0, 1])
    assert exc.value.arg == "x" and isinstance(exc.value, TypeError)
    m = voc.risk.fit_logistic(x=np.array([[0.0, 1.0], [1.0, 0.0], [2.0, 2.0], [3.0, 1.0]]), y=[0, 0, 1, 1])
    with pytest.raises(voc.DtypeError):
        m.predict_proba(bad)


def test_bool_features_and_labels_are_zero_one() -> None:
    rng = np.random.default_rng(3)
    flag = rng.random(300) < 0.4
    x = rng.normal(size=300)
    y = (rng.random(300) < 1 / (1 + np.exp(-(x + flag)))).astype(float)
    ref = voc.risk.fit_logistic(x=np.column_stack([x, flag.astype(float)]), y=y)
    for table in ({"x0": x, "x1": flag}, pd.DataFrame({"x0": x, "x1": flag}), pl.DataFrame({"x0": x, "x1": flag}),
                  pa.table({"x0": x, "x1": flag})):
        for labels in (y.astype(bool), pd.Series(y.astype(bool)), pl.Series(y.astype(bool)), pa.array(y.astype(bool)),
                       [bool(v) for v in y]):
            assert voc.risk.fit_logistic(table, y=labels).coef == ref.coef, (type(table), type(labels))


def test_alerts_missing_columns_are_column_not_found(xy: tuple[np.ndarray, np.ndarray]) -> None:
    X, y = xy
    df = pd.DataFrame(X, columns=list("abcde")).assign(value=np.linspace(50, 500, len(y)))
    m = voc.risk.fit_logistic(df, y=y, x=list("abcde"))
    with pytest.raises(voc.ColumnNotFoundError, match="no such column") as exc:
        voc.risk.alerts(df, model=m, value="nope")
    assert isinstance(exc.value, KeyError) and exc.value.arg == "value" and exc.value.value == "nope"
    with pytest.raises(KeyError):
        voc.risk.alerts(df, model=m, value="nope")
    with pytest.raises(voc.ColumnNotFoundError, match=r'x = "b": the table has no such column') as exc:
        voc.risk.alerts(df.drop(columns=["b", "d"]), model=m, value="value")
    assert isinstance(exc.value, KeyError) and (exc.value.arg, exc.value.value) == ("x", "b")


def test_model_attributes_summary_and_pickle(xy: tuple[np.ndarray, np.ndarray]) -> None:
    X, y = xy
    m = voc.risk.fit_logistic(x=X, y=y, penalty="none", confidence=0.9)
    assert isinstance(m, voc.risk.LogisticModel)
    assert (m.n, m.n_missing, m.n_positive) == (len(y), 0, int(y.sum()))
    assert (m.penalty, m.C, m.missing, m.confidence) == ("none", 1.0, "error", 0.9)
    assert isinstance(m.iterations, int) and m.converged and 0 < m.pseudo_r2 < 1
    assert m.lr_statistic == pytest.approx(2 * (m.log_likelihood - m.null_log_likelihood), rel=1e-12)
    t = m.summary()
    assert t.columns == ["term", "coef", "coef_std", "odds_ratio", "se", "z", "p_value", "ci_low", "ci_high",
                         "odds_ratio_ci_low", "odds_ratio_ci_high"]
    np.testing.assert_allclose(t["odds_ratio_ci_low"], np.exp(t["ci_low"]), rtol=1e-15)
    np.testing.assert_allclose(t["odds_ratio_ci_high"], np.exp(t["ci_high"]), rtol=1e-15)
    d = m.to_dict()
    assert d["n"] == len(y) and d["lr_p_value"] == m.lr_p_value and "<table>" in m._repr_html_()
    back = pickle.loads(pickle.dumps(m))
    assert back == m and repr(back) == repr(m) and back.summary().to_pandas().equals(t.to_pandas())
    c = m.contributions(X[:4])
    np.testing.assert_allclose(c, np.asarray(m.coef) * (X[:4] - X.mean(axis=0)), rtol=1e-9, atol=1e-12)


# --- scikit-learn ---


def test_churn_classifier_matches_sklearn_and_works_in_pipelines(xy: tuple[np.ndarray, np.ndarray]) -> None:
    from sklearn.base import clone, is_classifier
    from sklearn.model_selection import GridSearchCV, cross_val_score
    from sklearn.pipeline import Pipeline

    X, y = xy
    Z = StandardScaler().fit_transform(X)
    clf = voc.risk.ChurnClassifier(C=0.5, standardize=False)
    assert is_classifier(clf) and clone(clf).get_params() == clf.get_params()
    clf.fit(Z, y)
    ref = sk_lbfgs(Z, y, 0.5)
    np.testing.assert_allclose(clf.predict_proba(Z), ref.predict_proba(Z), rtol=0, atol=COEF_TOL)
    np.testing.assert_allclose(clf.coef_, ref.coef_, rtol=0, atol=COEF_TOL)
    np.testing.assert_allclose(clf.intercept_, ref.intercept_, rtol=0, atol=COEF_TOL)
    np.testing.assert_array_equal(clf.predict(Z), ref.predict(Z))
    np.testing.assert_allclose(clf.decision_function(Z), ref.decision_function(Z), rtol=0, atol=1e-5)
    assert clf.n_features_in_ == 5 and list(clf.classes_) == [0.0, 1.0] and not hasattr(clf, "feature_names_in_")
    # Sample weights, as LogisticRegression takes them.
    w = np.random.default_rng(5).uniform(0.2, 3.0, len(y))
    wref = LogisticRegression(C=2.0, tol=1e-12, max_iter=100_000).fit(Z, y, sample_weight=w)
    wclf = voc.risk.ChurnClassifier(C=2.0, standardize=False).fit(Z, y, sample_weight=w)
    np.testing.assert_allclose(wclf.predict_proba(Z), wref.predict_proba(Z), rtol=0, atol=COEF_TOL)
    # Pipeline, cross_val_score and GridSearchCV.
    pipe = Pipeline([("scale", StandardScaler()), ("model", voc.risk.ChurnClassifier(C=0.5, standardize=False))])
    sk_pipe = Pipeline([("scale", StandardScaler()), ("model", LogisticRegression(C=0.5, tol=1e-12, max_iter=100_000))])
    np.testing.assert_allclose(pipe.fit(X, y).predict_proba(X), sk_pipe.fit(X, y).predict_proba(X), rtol=0, atol=COEF_TOL)
    ours = cross_val_score(pipe, X, y, cv=4, scoring="roc_auc")
    theirs = cross_val_score(sk_pipe, X, y, cv=4, scoring="roc_auc")
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-6)
    assert len(cross_val_score(voc.risk.ChurnClassifier(), X, y, cv=3)) == 3  # default scoring: accuracy
    grid = GridSearchCV(pipe, {"model__C": [0.01, 1.0, 100.0], "model__penalty": ["l2", "l1"]}, cv=3, scoring="roc_auc")
    grid.fit(X, y)
    assert grid.best_params_["model__C"] in (0.01, 1.0, 100.0)
    assert grid.predict_proba(X).shape == (len(y), 2)
    with pytest.raises(voc.InvalidOptionError, match="invalid parameter 'alpha'"):
        voc.risk.ChurnClassifier().set_params(alpha=1.0)


def test_churn_classifier_on_dataframes_and_string_labels(xy: tuple[np.ndarray, np.ndarray]) -> None:
    X, y = xy
    df = pd.DataFrame(X, columns=list("abcde"))
    labels = np.where(y == 1, "churned", "stayed")
    clf = voc.risk.ChurnClassifier().fit(df, labels)
    assert list(clf.feature_names_in_) == list("abcde") and list(clf.classes_) == ["churned", "stayed"]
    # The second class is the positive one, as scikit-learn: here "stayed".
    p_stay = voc.risk.fit_logistic(x=X, y=1 - y).predict_proba(X)
    np.testing.assert_allclose(clf.predict_proba(df)[:, 1], p_stay, rtol=1e-12)
    assert set(clf.predict(df[["e", "d", "c", "b", "a"]])) <= {"churned", "stayed"}  # columns by name
    assert clf.score(df, labels) > 0.6
    with pytest.raises(voc.EmptyInputError):
        voc.risk.ChurnClassifier().fit(np.empty((0, 3)), [])
    with pytest.raises(voc.InsufficientDataError, match="only one class"):
        voc.risk.ChurnClassifier().fit(X, np.ones(len(y)))
    with pytest.raises(voc.InputError, match="Only binary classification is supported.*3 classes"):
        voc.risk.ChurnClassifier().fit(X, np.arange(len(y)) % 3)


def test_dataframes_with_integer_column_labels(xy: tuple[np.ndarray, np.ndarray]) -> None:
    X, y = xy
    df = pd.DataFrame(X)  # columns 0..4
    m = voc.risk.fit_logistic(df, y=y)
    assert m.names == ["0", "1", "2", "3", "4"] and m.coef == voc.risk.fit_logistic(x=X, y=y).coef
    np.testing.assert_array_equal(m.predict_proba(df), m.predict_proba(X))
    clf = voc.risk.ChurnClassifier().fit(df, y, sample_weight=pd.Series(np.ones(len(y))))
    assert clf.n_features_in_ == 5 and clf.n_iter_[0] == clf.model_.iterations
