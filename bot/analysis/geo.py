"""GeoIP locations and great-circle distances, for the IP list and impossible travel."""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

from bot.analysis.networks import parse_ip

EARTH_RADIUS_KM = 6371.0
# A record without an accuracy radius: assume a wide one rather than claim precision we lack.
DEFAULT_RADIUS_KM = 250.0


@dataclass(frozen=True)
class Location:
    """Where an IP is, to within `radius_km` (MaxMind's accuracy radius)."""

    latitude: float
    longitude: float
    radius_km: float
    city: str = ""
    country: str = ""

    @property
    def label(self) -> str:
        return ", ".join(part for part in (self.city, self.country) if part) or "unknown place"


class Locator(Protocol):
    """Anything that places an IP on the map; analysis takes this, never a file."""

    def locate(self, ip: str) -> Location | None: ...


def distance_km(a: Location, b: Location) -> float:
    """Haversine distance between the two centres."""
    lat1, lon1, lat2, lon2 = map(math.radians, (a.latitude, a.longitude, b.latitude, b.longitude))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def _name(section: object) -> str:
    names = section.get("names", {}) if isinstance(section, dict) else {}
    return str(names.get("en", "")) if isinstance(names, dict) else ""


def location_from_record(record: dict[str, Any]) -> Location | None:
    """A MaxMind City record as a Location; None when it has no coordinates."""
    where = record.get("location")
    if not isinstance(where, dict) or "latitude" not in where or "longitude" not in where:
        return None
    country = record.get("country") or record.get("registered_country")
    return Location(
        latitude=float(where["latitude"]),
        longitude=float(where["longitude"]),
        radius_km=float(where.get("accuracy_radius", DEFAULT_RADIUS_KM)),
        city=_name(record.get("city")),
        country=(country or {}).get("iso_code", "") if isinstance(country, dict) else "",
    )


class GeoIP:
    """A MaxMind City database (GeoLite2 or GeoIP2); lookups are cached per IP."""

    def __init__(self, reader: Any) -> None:
        self._reader = reader
        self._cached = lru_cache(maxsize=4096)(self._locate)

    @classmethod
    def open(cls, path: Path | str) -> GeoIP:
        """The reader is imported here: an analysis without a database never pays for it."""
        import maxminddb

        return cls(maxminddb.open_database(str(path)))

    def locate(self, ip: str) -> Location | None:
        return self._cached(ip)

    def _locate(self, ip: str) -> Location | None:
        address = parse_ip(ip)
        if address is None:
            return None
        record = self._reader.get(address)
        return location_from_record(record) if isinstance(record, dict) else None

    def close(self) -> None:
        self._reader.close()
