from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

# Tracks carry a lease (owner, expiry) in the embedded mode, so that several ``mixcoach serve`` instances on one
# database never analyse each other's unfinished tracks at start. Existing rows start with none: unleased.


class Migration(migrations.Migration):
    dependencies = [('models', '0006_session_choices')]

    initial = False

    operations = [
        ops.AddField(
            model_name='TrackModel',
            name='lease_owner',
            field=fields.CharField(null=True, max_length=64),
        ),
        ops.AddField(
            model_name='TrackModel',
            name='lease_until',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
    ]
