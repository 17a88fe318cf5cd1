"""marsad.merge: one event from many sources (incremental, reviewable, corroboration counted)."""

from marsad.merge.cluster import MergeReport, merge_events, merge_new, refresh_cluster, sources_of, unmerge
from marsad.merge.rules import MergeRules, Verdict, compare, default_rules

__all__ = [
    "MergeReport",
    "MergeRules",
    "Verdict",
    "compare",
    "default_rules",
    "merge_events",
    "merge_new",
    "refresh_cluster",
    "sources_of",
    "unmerge",
]
