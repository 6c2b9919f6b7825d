"""The classifier the pipeline and `monitor classify` share: rules + trained models, loaded once.

    clf = load_classifier(models_dir, office)        # ModelError when models are missing or stale
    clf.version                                      # "<model hash>+rules.<rules hash>"
    clf.classify_many([ArticleText(...), ...])       # -> [Classification, ...]

Rules (topics.yaml) give explainable evidence and cover terms the training labels never saw; the
models (classifiers.model) read the text and the rule evidence together and give calibrated scores,
so a rule term out of context does not decide alone and a topic phrased without a listed term is
still found. `evidence` carries what `monitor explain` shows.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from classifiers.features import URL_GRAM, dense_matrix, model_grams, url_grams
from classifiers.rules import Prepared, RuleSet, load_rules, prepare, squash
from classifiers.scope import build_scope_index, city_is_area, judge_scope, office_places
from classifiers.types import BY_THE_MODEL, SENTIMENTS, ArticleText, Classification, HotCategory
from monitor.errors import ModelError

BUNDLE_NAME = "edu-nlp"
SHIPPED_MODELS_DIR = Path(__file__).resolve().parents[1] / "models"

# An incident the hot model is sure of counts as education from a lower relevance: a pupil hurt outside school
# (a drowning, a beating, a crash) reads like crime or accident news, so its relevance lands between these
# floors and the threshold, and the office would rather see it than miss it. Chosen on out-of-fold scores of
# the hand labels (models/edu-nlp/ABLATIONS.md, round 6); used only with trained models (the rules' scores
# are not probabilities).
INCIDENT_RELEVANCE_FLOOR = 0.30
INCIDENT_HOT_FLOOR = 0.8
# The same from a lower relevance when the title names a person of a school: the pupils harmed outside school that
# the floors above still miss (an online "kidnapping" of a pupil, a beating at home) read like crime news to
# relevance (0.07-0.48) while the hot model is sure of them. Chosen out of fold as the highest hot F2 that keeps
# education F1 (+17 of 2,795 incidents), then measured on whole days labelled after the choice, held out: one more
# incident found, no false alarm (models/edu-nlp/ABLATIONS.md, rounds 19 and 20).
VICTIM_RELEVANCE_FLOOR = 0.15
VICTIM_HOT_FLOOR = 0.6
VICTIM_TITLE_CUES = frozenset((
    "học sinh", "nam sinh", "nữ sinh", "học trò", "sinh viên", "thí sinh", "trẻ mầm non", "giáo viên", "cô giáo",
    "thầy giáo", "nhà giáo", "hiệu trưởng", "bạn cùng lớp", "bạn học", "nam sinh lớp", "nữ sinh lớp", "bảo mẫu",
    "giảng viên", "thầy cô", *(f"lớp {n}" for n in range(1, 13))))


def _names_school_person(m) -> bool:
    """Whether the title names a pupil, a teacher or a class (the education rules' terms of VICTIM_TITLE_CUES)."""
    return any(h.group == "edu" and h.field == "title" and h.term in VICTIM_TITLE_CUES for h in m.hits)


def prepared_fields(a: ArticleText) -> list[tuple[str, Prepared]]:
    """An article's title, sapo and body normalised and cut into syllables: what rule matching and the models read."""
    return [(name, prepare(text, name)) for name, text in (("title", a.title), ("sapo", a.sapo), ("body", a.body)) if text]


class SharedText:
    """The work on a batch's text that no rules file changes, done once for several classifiers of it (`monitor rules
    test` classifies each article with the live rules and the candidate's): the fields prepared (normalised, cut
    into syllables), and their grams as columns of a models' vocabulary, once per models bundle. Rule matching,
    the rule evidence and the models' scores depend on the rules and are each classifier's own. Holds the batch's
    syllables, so one batch at a time."""

    def __init__(self, articles: list[ArticleText]) -> None:
        self.articles = articles
        self.fields = [prepared_fields(a) for a in articles]
        self._columns: dict[str, list] = {}

    def columns(self, models) -> list:
        # a models' version names its weights file by hash, vocabulary included: the same version, the same columns
        if models.version not in self._columns:
            self._columns[models.version] = [models.columns(model_grams(p, a.url))
                                             for p, a in zip(self.fields, self.articles)]
        return self._columns[models.version]


class Classifier:
    def __init__(self, rules: RuleSet, office, models=None) -> None:
        self.rules = rules
        self.models = models
        self.places = office_places(office)
        self._scope_index = build_scope_index(rules, self.places)
        self._body_city = city_is_area(rules, self.places)  # a Sở's city is its own area: the body may name it
        self._hot_names = {h.id: h.name for h in rules.hot}
        model_part = models.version if models is not None else "rules-only"
        self.version = f"{model_part}+rules.{rules.sha256[:10]}"

    @property
    def rules_note(self) -> str | None:
        """A line saying the rules were edited since the models were trained, or None: the model card's
        figures were measured with the rules of that time. Vietnamese: `monitor rules test` and the service's log
        show it to the office (`classify` and `evaluate` quote it too)."""
        return self.rules_edited_note()

    def rules_edited_note(self, *, pointer: bool = True) -> str | None:
        """rules_note, without its pointer to `monitor rules test` when that is the command saying it."""
        edited = getattr(self.models, "rules_edited", None)
        if not edited:
            return None
        return (f"tệp quy tắc {self.rules.path.name} đã được sửa sau khi huấn luyện mô hình (khi đó là quy tắc "
                f"{edited[0]}, nay là {edited[1]}): các số liệu trong MODEL_CARD.md của mô hình được đo với quy tắc cũ"
                + ("; `monitor rules test` cho thấy những gì thay đổi" if pointer else ""))

    # ------------------------------------------------------------------ public

    def classify(self, article: ArticleText) -> Classification:
        return self.classify_many([article])[0]

    def classify_many(self, articles: list[ArticleText], *, explain: bool = False, evidence: bool = True,
                      shared: SharedText | None = None) -> list[Classification]:
        """Classify a batch. evidence=False leaves Classification.evidence empty (the contract output of
        `monitor classify` has no evidence; building it is a fifth of the time of a large batch). `shared`: the
        same batch's text work, done once for several classifiers (SharedText)."""
        if not articles:
            return []
        if shared is not None:
            if [a.id for a in shared.articles] != [a.id for a in articles]:
                raise ValueError("SharedText of another batch")
            matches = [self.rules.match_prepared(p, self._scope_index) for p in shared.fields]
            columns = shared.columns(self.models) if self.models is not None else []
            texts = [model_grams(p, a.url) for p, a in zip(shared.fields, articles)] if explain and self.models else []
        else:
            # One article's text at a time, kept only as what the rest needs: its rule matches and its grams as
            # vocabulary columns (the grams themselves only to explain): a batch of 256 full pages held all their
            # syllable and gram strings at once, about 30 MB, at the peak of `monitor crawl`'s memory.
            matches, columns, texts = [], [], []
            for a in articles:
                p = prepared_fields(a)
                matches.append(self.rules.match_prepared(p, self._scope_index))
                if self.models is not None:
                    grams = model_grams(p, a.url)
                    columns.append(self.models.columns(grams))
                    if explain:
                        texts.append(grams)
        dense = dense_matrix(self.rules, matches, [bool(a.sapo) for a in articles], [bool(a.body) for a in articles])
        if self.models is not None:
            pred = self.models.predict(columns, dense)
            # the models' scores are calibrated probabilities, so an incident may lower the education bar
            pred["incident_floors"] = {"relevance": INCIDENT_RELEVANCE_FLOOR, "hot": INCIDENT_HOT_FLOOR}
            pred["victim_floors"] = {"relevance": VICTIM_RELEVANCE_FLOOR, "hot": VICTIM_HOT_FLOOR}
        else:
            texts, pred = None, self._rules_only(dense)
        # plain Python numbers from here on: per-element numpy indexing costs more than the models
        pred = {k: (v.tolist() if isinstance(v, np.ndarray) else v) for k, v in pred.items()}
        out = []
        for i, (a, m) in enumerate(zip(articles, matches)):
            out.append(self._one(a, m, pred, i, texts[i] if (explain and texts) else None, dense[i], evidence or explain))
        return out

    def place(self, title: str, lead: str = "") -> tuple[str, str]:
        """(scope, reason) of a short text with no page behind it (a hot issue a person entered: its title, and its
        summary and source as the lead), read by the scope rules an article's title and sapo are read by; without
        the foreign model's score, its cues in the rules decide what is abroad, as before `monitor train`."""
        p = prepared_fields(ArticleText(id="", title=title.strip(), sapo=lead.strip()))
        if not p:
            return "national", ""
        m = self.rules.match_prepared(p, self._scope_index)
        scope, reason = judge_scope(m, None, 0.5, self._body_city, district_terms=self._scope_index.district_terms,
                                    city_places=self._scope_index.city_places, city_kind=self.places.city_kind)
        if scope == "national" and not reason and m.terms("domestic"):
            # an article's national scope needs no reason, but a person's entry is told apart by whether it names
            # a place at all (monitor.intake.judge_scope)
            reason = "trong nước: " + ", ".join(m.terms("domestic")[:3])
        return scope, reason

    def explain(self, article: ArticleText) -> Classification:
        """Like classify, with the models' strongest features in `evidence` (slower; for `monitor explain`)."""
        return self.classify_many([article], explain=True)[0]

    # ------------------------------------------------------------------ internals

    def _rules_only(self, dense: np.ndarray) -> dict:
        """Scores from the rule evidence alone (used before `monitor train` has built models)."""
        r = self.rules
        n_t = len(r.topic_ids)
        edu = dense[:, 0] * (1 - dense[:, 1])
        topics = dense[:, 2:2 + n_t]
        hot_cats = dense[:, 2 + n_t:2 + n_t + len(r.hot_ids)]
        neg, pos = dense[:, 2 + n_t + len(r.hot_ids)], dense[:, 3 + n_t + len(r.hot_ids)]
        tone = np.stack([neg, np.full_like(neg, 0.45), pos], axis=1)
        tone = tone / tone.sum(axis=1, keepdims=True)
        hot = np.array([squash(sum(row)) for row in hot_cats]) * neg
        return {"relevance": edu, "topics": topics, "tone": tone, "hot": hot,
                "rel_threshold": 0.5, "topic_thresholds": np.full(n_t, 0.5), "hot_threshold": 0.5}

    def _one(self, a: ArticleText, m, pred: dict, i: int, text: list[str] | None, dense_row, with_evidence: bool = True) -> Classification:
        r = self.rules
        relevance = pred["relevance"][i]
        foreign = pred.get("foreign")
        # a body with no title or sapo before it is all the story says of its place: its city names count, and
        # the office's places past its lead
        whole_body = not (a.title.strip() or a.sapo.strip())
        body_city = self._body_city or whole_body
        scope, scope_reason = judge_scope(m, foreign[i] if foreign is not None else None, pred.get("foreign_threshold", 0.5),
                                          body_city, whole_body, self._scope_index.district_terms,
                                          self._scope_index.city_places, self.places.city_kind)
        is_edu = relevance >= pred["rel_threshold"]
        floors = pred.get("incident_floors")
        # incidents abroad are never hot, so they never lower the bar
        by_incident = bool(floors and not is_edu and scope != "foreign"
                           and relevance >= floors["relevance"] and pred["hot"][i] >= floors["hot"])
        victim = pred.get("victim_floors")
        by_victim = bool(victim and not is_edu and not by_incident and scope != "foreign"
                         and relevance >= victim["relevance"] and pred["hot"][i] >= victim["hot"] and _names_school_person(m))
        is_edu = is_edu or by_incident or by_victim
        t_scores = dict(zip(r.topic_ids, pred["topics"][i]))
        thresholds = pred["topic_thresholds"]
        topics = tuple(tid for tid, th in zip(r.topic_ids, thresholds) if t_scores[tid] >= th) if is_edu else ()
        tone = pred["tone"][i]
        best = max(range(len(SENTIMENTS)), key=tone.__getitem__)
        sentiment = SENTIMENTS[best]
        hot_score = pred["hot"][i] if is_edu else pred["hot"][i] * relevance
        # the labelling guide: incidents abroad are never hot for a Vietnamese education office
        hot = bool(is_edu and hot_score >= pred["hot_threshold"] and scope != "foreign")

        reasons: list[str] = []
        edu_terms = m.terms("edu")
        section = "/".join(g[len(URL_GRAM):] for g in url_grams(a.url))
        cues = edu_terms[:4] + ([f"chuyên mục {section} (URL)"] if section else [])
        reasons.append(f"giáo dục {relevance:.2f}" + (f" (dưới ngưỡng {pred['rel_threshold']:.2f}, nhận vì là sự cố nóng)" if by_incident else "")
                       + (f" (dưới ngưỡng {pred['rel_threshold']:.2f}, nhận vì là sự cố nóng, tiêu đề nêu người của trường học)"
                          if by_victim else "")
                       + (f": {', '.join(cues)}" if cues else ": không có từ khóa giáo dục"))
        present = m.groups()
        topic_terms = {g[6:]: m.terms(g) for g in present if g.startswith("topic:")}
        for tid in topics:
            terms = topic_terms.get(tid, [])
            reasons.append(f"chủ đề {tid} {t_scores[tid]:.2f}" + (f": {', '.join(terms[:3])}" if terms else f": {BY_THE_MODEL}"))
        hot_terms = {g[4:]: m.terms(g) for g in present if g.startswith("hot:")}
        signs = hot_signs({g[4:]: terms for g, terms in present.items() if g.startswith("hot:")})
        if hot:
            cats = [f"{self._hot_names[h]} ({', '.join(hot_terms[h][:2])})" for h in signs]
            reasons.append(f"nóng {hot_score:.2f}" + (f": {'; '.join(cats[:3])}" if cats else f": {BY_THE_MODEL}"))
        hot_categories = tuple(HotCategory(h, self._hot_names[h]) for h in signs) if hot else None
        reasons.append(f"sắc thái {sentiment} {tone[best]:.2f}")
        if scope_reason:
            reasons.append(scope_reason)

        evidence = {} if not with_evidence else {
            "rules": {
                "education": edu_terms,
                "topics": topic_terms,
                "hot": hot_terms,
                "negative": m.terms("neg"), "positive": m.terms("pos"),
                "scope": {g: m.terms(g) for g in ("local", "district-bare", "city", "elsewhere", "foreign", "domestic")
                          if g in present},
                # the exclusions that fired: an education one weighs against relevance (the models learnt how much),
                # a topic's cancels that topic's rule evidence; `monitor explain` names them beside the terms
                "exclusions": {"education": m.terms("edu-x"),
                               "topics": {g[2:]: m.terms(g) for g in present if g.startswith("x:")}},
            },
            "thresholds": {"education": pred["rel_threshold"], "hot": pred["hot_threshold"],
                           **({"education_by_incident": floors} if floors else {}),
                           **({"education_by_victim": victim} if victim else {}),
                           "topics": dict(zip(r.topic_ids, thresholds))},
            "tone": dict(zip(SENTIMENTS, tone)),
        }
        if text is not None and self.models is not None:
            evidence["model"] = self.models.explain(text, dense_row, topics=topics)
        return Classification(
            id=a.id, is_education=bool(is_edu), relevance=float(relevance), topics=topics,
            topic_scores=t_scores, sentiment=sentiment, hot=hot, hot_score=float(hot_score), scope=scope,
            reasons=tuple(reasons), model_version=self.version, hot_categories=hot_categories, evidence=evidence,
        )


# Hot groups that tell the response to an event rather than the event: an investigation, a charge, a sanction
# (vi-pham), an outcry or a complaint (tranh-luan). A fight the police "làm rõ" is violence, not misconduct, and a
# drowning that "gây lo ngại" is an accident first (bench/hot_signs.py, models/edu-nlp/ABLATIONS.md round 16).
RESPONSE_GROUPS = frozenset({"vi-pham", "tranh-luan"})


def hot_signs(matched: dict[str, dict[str, tuple[str, float]]]) -> list[str]:
    """The hot groups named as the reason an article is hot, first the one a reader should see first, from the hot
    groups' matches (group id -> term -> (field, weighted evidence), rules.Matches.groups).

    A response group is named beside an event group only when the title says it (a title names what the story is
    about; a sapo's "công an đang điều tra" is the follow-up of the fight it tells). Events come before responses,
    and within each the groups the title names, then the text's order: the reason line shows the first three, and
    the clipping's "Dấu hiệu" line and a story's signs keep this order.
    """
    def in_title(g: str) -> bool:
        return any(field == "title" for field, _ in matched[g].values())

    events = any(g not in RESPONSE_GROUPS for g in matched)
    named = [g for g in matched if not (events and g in RESPONSE_GROUPS and not in_title(g))]
    return sorted(named, key=lambda g: (g in RESPONSE_GROUPS, not in_title(g)))


def find_bundle(models_dir: Path | None, fallback: bool = True) -> Path | None:
    """The trained models' folder in `models_dir`, else (`fallback`, or no `models_dir`) the shipped one; None when
    neither holds one."""
    for d in ([Path(models_dir)] if models_dir else []) + ([SHIPPED_MODELS_DIR] if fallback or not models_dir else []):
        if (d / BUNDLE_NAME / "metadata.json").exists():
            return d / BUNDLE_NAME
    return None


def load_classifier(models_dir: Path | None, office, *, rules_path: Path | None = None, trial: bool = False,
                    require_models: bool = False, fallback: bool = True, use_models: bool = True) -> Classifier:
    """Load the rules and the trained models once.

    `models_dir` is searched first, then (unless fallback=False, for a folder named explicitly) the models
    shipped in the repository. A bundle that exists but
    was trained with other library versions, another feature configuration, or rules with other topics or
    rule groups raises ModelError (run `monitor train`). With `rules_path`, those rules are used instead of
    the shipped ones (the office's own, `storage.rules_file`); edited terms and weights keep the models
    (`Models.rules_edited` says so). With `trial` (`monitor rules test`, `reclassify --rules`), rules whose
    topics or groups differ from the models' are scored by the rules alone instead of refused, so a dry run
    shows what they would change. With use_models=False the rules alone score (`monitor rules test --rules-only`).
    """
    rules = load_rules(rules_path)
    if not use_models:
        return Classifier(rules, office, None)
    bundle = find_bundle(models_dir, fallback)
    if bundle is None:
        if require_models or not fallback:
            raise ModelError(f"chưa có mô hình đã huấn luyện trong {models_dir}", hint="chạy `monitor train` để tạo mô hình")
        return Classifier(rules, office, None)
    from classifiers.model import load_models

    models = load_models(bundle, rules, allow_rules_mismatch=trial)
    return Classifier(rules, office, models)
