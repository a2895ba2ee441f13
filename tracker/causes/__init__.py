"""Root-cause analysis: the taxonomy, the classifier, mechanism similarity and repeat detection."""
