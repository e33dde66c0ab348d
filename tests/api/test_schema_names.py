"""Every schema of the API has a name of its own: django-ninja names the OpenAPI components after the
classes, so two routers' ``StandingOut`` made one operation declare the other's answer (credit's grade was
validated against applications' case standing)."""

from collections import Counter

from ninja import Schema

from keqi.api.api import api  # noqa: F401  (every router imported, every schema defined)


def _schemas(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _schemas(sub)


def test_no_two_api_schemas_share_a_name():
    ours = [s for s in _schemas(Schema) if s.__module__.startswith("keqi.")]
    twice = {name: n for name, n in Counter(s.__name__ for s in ours).items() if n > 1}
    assert twice == {}, {name: sorted(s.__module__ for s in ours if s.__name__ == name) for name in twice}
