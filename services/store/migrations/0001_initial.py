from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from services.store.models import MessageKind, MessageRole, MessageStatus, TrackStatus
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name='ClientModel',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('token_hash', fields.CharField(unique=True, max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'client', 'app': 'models', 'pk_attr': 'id', 'table_description': 'An owner identity. Only a SHA-256 of its bearer token is stored.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='TrackModel',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('owner', fields.ForeignKeyField('models.ClientModel', source_field='owner_id', db_constraint=True, to_field='id', related_name='tracks', on_delete=OnDelete.CASCADE)),
                ('name', fields.CharField(max_length=255)),
                ('original_filename', fields.CharField(max_length=255)),
                ('content_hash', fields.CharField(db_index=True, max_length=64)),
                ('size_bytes', fields.BigIntField(default=0)),
                ('format', fields.CharField(null=True, max_length=32)),
                ('duration_s', fields.FloatField(null=True)),
                ('sample_rate_hz', fields.IntField(null=True)),
                ('channels', fields.IntField(null=True)),
                ('status', fields.CharEnumField(default=TrackStatus.QUEUED, description='QUEUED: QUEUED\nANALYZING: ANALYZING\nREADY: READY\nFAILED: FAILED', enum_type=TrackStatus, max_length=16)),
                ('progress', fields.FloatField(default=0.0)),
                ('error_code', fields.CharField(null=True, max_length=64)),
                ('error_message', fields.TextField(null=True, unique=False)),
                ('analysis', fields.JSONField(null=True, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('analysis_schema_version', fields.IntField(null=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'track', 'app': 'models', 'indexes': [Index(fields=['owner_id', 'content_hash'], name='idx_track_owner_hash')], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='SessionModel',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('owner', fields.ForeignKeyField('models.ClientModel', source_field='owner_id', db_constraint=True, to_field='id', related_name='sessions', on_delete=OnDelete.CASCADE)),
                ('track', fields.ForeignKeyField('models.TrackModel', source_field='track_id', db_constraint=True, to_field='id', related_name='sessions', on_delete=OnDelete.CASCADE)),
                ('reference_track', fields.ForeignKeyField('models.TrackModel', source_field='reference_track_id', null=True, db_constraint=True, to_field='id', related_name='reference_sessions', on_delete=OnDelete.SET_NULL)),
                ('genre', fields.CharField(default='general', max_length=64)),
                ('title', fields.CharField(max_length=255)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'session', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='MessageModel',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('session', fields.ForeignKeyField('models.SessionModel', source_field='session_id', db_constraint=True, to_field='id', related_name='messages', on_delete=OnDelete.CASCADE)),
                ('track', fields.ForeignKeyField('models.TrackModel', source_field='track_id', null=True, db_constraint=True, to_field='id', related_name='messages', on_delete=OnDelete.SET_NULL)),
                ('reference_track', fields.ForeignKeyField('models.TrackModel', source_field='reference_track_id', null=True, db_constraint=True, to_field='id', related_name='reference_messages', on_delete=OnDelete.SET_NULL)),
                ('role', fields.CharEnumField(description='USER: USER\nASSISTANT: ASSISTANT\nSUMMARY: SUMMARY', enum_type=MessageRole, max_length=16)),
                ('kind', fields.CharEnumField(description='FEEDBACK: FEEDBACK\nFOLLOWUP: FOLLOWUP\nSUMMARY: SUMMARY', enum_type=MessageKind, max_length=16)),
                ('content', fields.TextField(default='', unique=False)),
                ('status', fields.CharEnumField(default=MessageStatus.COMPLETE, description='STREAMING: STREAMING\nCOMPLETE: COMPLETE\nFAILED: FAILED', enum_type=MessageStatus, max_length=16)),
                ('followup_group', fields.IntField(null=True)),
                ('feedback_type', fields.CharField(null=True, max_length=32)),
                ('profile', fields.CharField(null=True, max_length=16)),
                ('genre', fields.CharField(null=True, max_length=64)),
                ('findings', fields.JSONField(null=True, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('grounding', fields.JSONField(null=True, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('engine', fields.CharField(null=True, max_length=32)),
                ('model', fields.CharField(null=True, max_length=128)),
                ('prompt_tokens', fields.IntField(null=True)),
                ('completion_tokens', fields.IntField(null=True)),
                ('latency_ms', fields.IntField(null=True)),
                ('time_to_first_token_ms', fields.IntField(null=True)),
                ('error_code', fields.CharField(null=True, max_length=64)),
                ('error', fields.TextField(null=True, unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'message', 'app': 'models', 'indexes': [Index(fields=['session_id', 'created_at'], name='idx_message_session_created')], 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
