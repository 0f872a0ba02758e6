from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

# Versions of a track: v2 links to v1 (kept when v1 is deleted: the link becomes NULL). Existing tracks are v1.


class Migration(migrations.Migration):
    dependencies = [('models', '0004_h11r_threads')]

    initial = False

    operations = [
        ops.AddField(
            model_name='TrackModel',
            name='previous_version',
            field=fields.ForeignKeyField('models.TrackModel', source_field='previous_version_id', null=True, db_constraint=True, to_field='id', related_name='next_versions', on_delete=OnDelete.SET_NULL),
        ),
        ops.AddField(
            model_name='TrackModel',
            name='version',
            field=fields.IntField(default=1, db_default=1),
        ),
    ]
