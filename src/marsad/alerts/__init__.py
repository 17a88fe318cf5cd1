"""marsad.alerts: spikes, new areas, mass casualties and watch lists; stored once, fed, posted."""

from marsad.alerts.feed import atom_feed, list_alerts, post_webhook, run_alerts, save_alerts
from marsad.alerts.rules import Alert, AlertConfigError, evaluate, load_config, poisson_upper_tail

__all__ = [
    "Alert",
    "AlertConfigError",
    "atom_feed",
    "evaluate",
    "list_alerts",
    "load_config",
    "poisson_upper_tail",
    "post_webhook",
    "run_alerts",
    "save_alerts",
]
