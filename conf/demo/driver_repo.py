# The demo's definitions for Feast: the same entity, source and feature view as definitions.yaml
# (which `sluice apply` and `sluice demo` read), so that `feast apply` run in this folder keeps the
# demo's view instead of deleting it. Keep the two files in step; DemoDefinitionsTest checks that
# every name, type and setting of definitions.yaml is here.
from datetime import timedelta

from feast import Entity, FeatureView, Field, FileSource, ValueType
from feast.types import Float32, Int64

driver = Entity(name="driver", join_keys=["driver_id"], value_type=ValueType.INT64)

# Written by `sluice demo`; a relative path is read against this folder, by Feast and by Sluice.
driver_stats = FileSource(
    name="driver_stats",
    path="data/driver_stats.parquet",
    timestamp_field="event_timestamp",
    created_timestamp_column="created",
    field_mapping={"trips_raw": "avg_daily_trips"},
)

driver_hourly_stats = FeatureView(
    name="driver_hourly_stats",
    entities=[driver],
    ttl=timedelta(days=2),
    schema=[
        Field(name="driver_id", dtype=Int64),
        Field(name="conv_rate", dtype=Float32),
        Field(name="acc_rate", dtype=Float32),
        Field(name="avg_daily_trips", dtype=Int64),
    ],
    online=True,
    source=driver_stats,
)
