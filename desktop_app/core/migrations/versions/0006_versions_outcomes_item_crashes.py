"""job versions, stage keys, per-ad outcomes and per-ad crash counts

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("jobs") as batch_op:
        batch_op.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
        batch_op.add_column(sa.Column("stage_key", sa.Text(), nullable=False, server_default=""))
    with op.batch_alter_table("job_items") as batch_op:
        batch_op.add_column(sa.Column("outcome", sa.String(24), nullable=True))
        batch_op.add_column(sa.Column("active_stage", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("crashes", sa.Integer(), nullable=False, server_default="0"))
    op.execute(
        """
        UPDATE job_items SET outcome = CASE
            WHEN status = 'done' AND json_extract(checkpoints, '$.analyse.note') = 'no speech' THEN 'no_speech'
            WHEN status = 'done' THEN 'analysed'
            WHEN status = 'failed' THEN 'failed'
            WHEN status = 'skipped' AND error = 'already analysed' THEN 'already_analysed'
            WHEN status = 'skipped' AND error LIKE 'no video%' THEN 'no_video'
            WHEN status = 'skipped' THEN 'skipped'
        END
        """
    )


def downgrade() -> None:
    with op.batch_alter_table("job_items") as batch_op:
        for name in ("crashes", "active_stage", "outcome"):
            batch_op.drop_column(name)
    with op.batch_alter_table("jobs") as batch_op:
        for name in ("stage_key", "version"):
            batch_op.drop_column(name)
