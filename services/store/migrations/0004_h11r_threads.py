from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.migrations.constraints import UniqueConstraint

# Existing conversations keep every row: one thread per FEEDBACK message (its follow-up group), carrying the
# columns messages used to copy (the latest reference of the group wins); each follow-up answer gets the latest
# question before it; a thread counts as summarised up to its latest summary. Plain SQL, valid on SQLite and
# PostgreSQL alike.
_DATA = [
    """INSERT INTO thread (session_id, track_id, reference_track_id, genre, stage, profile, opener_id,
           summarised_answers, created_at, updated_at)
       SELECT m.session_id, m.track_id, m.reference_track_id, m.genre, m.feedback_type, m.profile, m.id, 0,
              m.created_at, m.updated_at
       FROM message m
       WHERE m.kind = 'FEEDBACK' AND (m.followup_group = m.id OR m.followup_group IS NULL)""",
    """UPDATE message SET thread_id =
           (SELECT t.id FROM thread t WHERE t.opener_id = COALESCE(message.followup_group, message.id))""",
    """UPDATE thread SET reference_track_id =
           (SELECT m.reference_track_id FROM message m WHERE m.thread_id = thread.id ORDER BY m.id DESC LIMIT 1)""",
    """UPDATE message SET question_id =
           (SELECT MAX(q.id) FROM message q
            WHERE q.thread_id = message.thread_id AND q.role = 'USER' AND q.id < message.id)
       WHERE message.role = 'ASSISTANT' AND message.kind = 'FOLLOWUP' AND message.thread_id IS NOT NULL""",
    """UPDATE thread SET summarised_answers =
           (SELECT COUNT(*) FROM message a
            WHERE a.thread_id = thread.id AND a.role = 'ASSISTANT' AND a.kind = 'FOLLOWUP' AND a.status = 'COMPLETE'
              AND a.id < COALESCE((SELECT MAX(s.id) FROM message s
                                   WHERE s.thread_id = thread.id AND s.role = 'SUMMARY'), 0))""",
]


async def threads_from_messages(apps, schema_editor):
    for statement in _DATA:
        await schema_editor.client.execute_script(statement)


class Migration(migrations.Migration):
    dependencies = [('models', '0003_chat_lookups')]

    initial = False

    operations = [
        ops.CreateModel(
            name='ThreadModel',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('session', fields.ForeignKeyField('models.SessionModel', source_field='session_id', db_constraint=True, to_field='id', related_name='threads', on_delete=OnDelete.CASCADE)),
                ('track', fields.ForeignKeyField('models.TrackModel', source_field='track_id', null=True, db_constraint=True, to_field='id', related_name='threads', on_delete=OnDelete.SET_NULL)),
                ('reference_track', fields.ForeignKeyField('models.TrackModel', source_field='reference_track_id', null=True, db_constraint=True, to_field='id', related_name='reference_threads', on_delete=OnDelete.SET_NULL)),
                ('genre', fields.CharField(null=True, max_length=64)),
                ('stage', fields.CharField(null=True, max_length=32)),
                ('profile', fields.CharField(null=True, max_length=16)),
                ('opener_id', fields.IntField(null=True, unique=True)),
                ('summarised_answers', fields.IntField(default=0)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'thread', 'app': 'models', 'pk_attr': 'id', 'table_description': 'One conversation: a FEEDBACK answer and the follow-ups after it, with what they are all about.'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='MessageModel',
            name='lease_owner',
            field=fields.CharField(null=True, max_length=64),
        ),
        ops.AddField(
            model_name='MessageModel',
            name='summary_through',
            field=fields.IntField(null=True),
        ),
        ops.AddField(
            model_name='MessageModel',
            name='lease_until',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='MessageModel',
            name='question',
            field=fields.ForeignKeyField('models.MessageModel', source_field='question_id', null=True, db_constraint=True, to_field='id', related_name='answers', on_delete=OnDelete.CASCADE),
        ),
        ops.AddField(
            model_name='MessageModel',
            name='thread',
            field=fields.ForeignKeyField('models.ThreadModel', source_field='thread_id', null=True, db_constraint=True, to_field='id', related_name='messages', on_delete=OnDelete.CASCADE),
        ),
        ops.RunPython(threads_from_messages),
        ops.RemoveField(model_name='MessageModel', name='followup_group'),
        ops.RemoveField(model_name='MessageModel', name='genre'),
        ops.RemoveField(model_name='MessageModel', name='feedback_type'),
        ops.RemoveField(model_name='MessageModel', name='profile'),
        ops.RemoveField(model_name='MessageModel', name='reference_track'),
        ops.RemoveField(model_name='MessageModel', name='track'),
        ops.AddConstraint(
            model_name='MessageModel',
            constraint=UniqueConstraint(fields=('thread', 'summary_through'), name=None),
        ),
    ]
