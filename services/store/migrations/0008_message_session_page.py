from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.indexes import Index

# A session's history is read a page at a time in id order (``WHERE session_id = ? [AND id > ?] ORDER BY id
# LIMIT ?``). The (session_id, created_at) index cannot give that order, so SQLite walked the whole message table by
# rowid and filtered it: every history read scanned every client's messages. This index serves the page directly.


class Migration(migrations.Migration):
    dependencies = [('models', '0007_track_leases')]

    initial = False

    operations = [
        ops.AddIndex(
            model_name='MessageModel',
            index=Index(fields=['session_id', 'id'], name='idx_message_session_page'),
        ),
    ]
