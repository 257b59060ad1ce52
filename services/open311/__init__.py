"""A read-only Open311 GeoReport v2 view of the reports, for the open-data portals and civic-issue tools that read
the standard (FixMyStreet, SeeClickFix): categories as services, reports as service requests, privacy first."""
