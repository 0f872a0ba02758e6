from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0001_initial')]

    initial = False

    operations = [
        ops.CreateModel(
            name='UsageModel',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('client', fields.ForeignKeyField('models.ClientModel', source_field='client_id', db_constraint=True, to_field='id', related_name='usage', on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharField(max_length=16)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'usage_event', 'app': 'models', 'indexes': [Index(fields=['client_id', 'kind', 'created_at'], name='idx_usage_client_kind_created')], 'pk_attr': 'id', 'table_description': 'One counted action (a generation started, a track uploaded), for the per-client hourly and daily quotas.'},
            bases=['Model'],
        ),
        ops.AddIndex(
            model_name='MessageModel',
            index=Index(fields=['status'], name='idx_message_status'),
        ),
    ]
