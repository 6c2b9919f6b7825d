"""Vietnamese NLP stage: relevance, plan topics, tone, hot flags and scope.

`classifiers.classify` turns an `ArticleText` into a `Classification`; `classifiers.model` trains and
loads the scikit-learn models; `classifiers.rules` matches the editable topic rules; `classifiers.text`
is the single adapter around underthesea.
"""
