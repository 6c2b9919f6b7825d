"""feeds.yaml -> frozen dataclasses, validated once.

Every problem in the file is collected and reported together, each with its path in the file
("sources[3].interval_minutes") and what to write instead. Unknown keys are errors, so a misspelt
option never silently falls back to a default. Secrets are never read from the file: the file names
environment variables (`password_env: MONITOR_SMTP_PASSWORD`) and the value is read from the
environment when it is needed.

One concern a module, each importing at run time only those listed before it, so that a change to one part is read
in one file: `yaml_io` (the strict YAML reader), `outlets` (one outlet however a feed spells it),
`office` (the office and the places it serves), `model` (the other sections' dataclasses and Config),
`checks` (the Checker), `parse_fetch` (the crawler, outlets and sources sections) and `parse` (the
other sections, parse_config and load_config). Other modules import from `monitor.config` only.
"""

from monitor.config.checks import Checker
from monitor.config.model import (
    ALERT_SCOPES,
    SELECTOR_FIELDS,
    SEVERITY_LEVELS,
    AlertChannel,
    Alerts,
    Config,
    Crawler,
    Digest,
    Outlet,
    Selectors,
    Smtp,
    Source,
    Storage,
    ca_certificates,
    score_text,
    unset_secrets,
)
from monitor.config.office import AREA_KINDS, CENTRAL_CITIES, DEFAULT_TIMEZONE, Office, Watchlist, province_name
from monitor.config.outlets import OutletNames, outlet_key, outlet_matching
from monitor.config.parse import TOP_LEVEL, clock_time, load_config, parse_config
from monitor.config.yaml_io import (YAML_LOADER, DuplicateKey, duplicate_key_problems, load_yaml, read_yaml_file,
                                     tab_fix)

__all__ = [
    "ALERT_SCOPES", "AREA_KINDS", "CENTRAL_CITIES", "DEFAULT_TIMEZONE", "SELECTOR_FIELDS", "SEVERITY_LEVELS",
    "TOP_LEVEL", "YAML_LOADER", "AlertChannel", "Alerts", "Checker", "Config", "Crawler", "Digest", "DuplicateKey",
    "Office", "Outlet", "OutletNames", "Selectors", "Smtp", "Source", "Storage", "Watchlist", "ca_certificates",
    "clock_time", "duplicate_key_problems", "load_config", "load_yaml", "outlet_key", "outlet_matching",
    "parse_config", "province_name", "read_yaml_file", "score_text", "tab_fix", "unset_secrets",
]
