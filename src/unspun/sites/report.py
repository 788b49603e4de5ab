"""Site profiles together with the coordination graph they sit in: what the site commands and pages show."""

from __future__ import annotations

from dataclasses import dataclass

from unspun.sites.coordination import CoordinationGraph
from unspun.sites.profile import SiteProfile


@dataclass
class SitesReport:
    profiles: dict[str, SiteProfile]  # every site asked for (all sites by default), most articles first
    graph: CoordinationGraph
