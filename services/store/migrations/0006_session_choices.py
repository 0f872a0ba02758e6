from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

# A session remembers the stage and profile last chosen for it (the genre it already kept), so a reload or History
# judges the findings as the user asked. Existing sessions take them from their latest thread. Plain SQL, valid on
# SQLite and PostgreSQL alike.
_DATA = [
    """UPDATE session SET
           stage = (SELECT t.stage FROM thread t WHERE t.session_id = session.id ORDER BY t.id DESC LIMIT 1),
           profile = (SELECT t.profile FROM thread t WHERE t.session_id = session.id ORDER BY t.id DESC LIMIT 1)""",
]


async def choices_from_threads(apps, schema_editor):
    for statement in _DATA:
        await schema_editor.client.execute_script(statement)


class Migration(migrations.Migration):
    dependencies = [('models', '0005_h13a_track_versions')]

    initial = False

    operations = [
        ops.AddField(
            model_name='SessionModel',
            name='stage',
            field=fields.CharField(null=True, max_length=32),
        ),
        ops.AddField(
            model_name='SessionModel',
            name='profile',
            field=fields.CharField(null=True, max_length=16),
        ),
        ops.RunPython(choices_from_threads),
    ]
