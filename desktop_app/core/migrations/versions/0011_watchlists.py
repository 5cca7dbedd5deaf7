"""competitor watchlists and the lifecycle of their ads

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "watchlists",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("page_id", sa.Text(), nullable=True),
        sa.Column("terms", sa.Text(), nullable=True),
        sa.Column("countries", sa.JSON(), nullable=False),
        sa.Column("schedule", sa.String(16), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.Column("page_name", sa.Text(), nullable=True),
        sa.Column("last_started", sa.Float(), nullable=True),
        sa.Column("last_job_id", sa.Text(), nullable=True),
        sa.Column("last_checked", sa.Float(), nullable=True),
        sa.Column("checked_job_id", sa.Text(), nullable=True),
    )
    op.create_table(
        "watched_ads",
        sa.Column("watchlist_id", sa.Integer(), sa.ForeignKey("watchlists.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("ad_id", sa.Text(), primary_key=True),
        sa.Column("first_seen", sa.Float(), nullable=False),
        sa.Column("last_seen", sa.Float(), nullable=False),
        sa.Column("active", sa.Integer(), nullable=False),
        sa.Column("ended_at", sa.Float(), nullable=True),
        sa.Column("first_job_id", sa.Text(), nullable=False),
        sa.Column("ended_job_id", sa.Text(), nullable=True),
        sa.Column("outcome", sa.String(24), nullable=True),
        sa.Column("reach", sa.JSON(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("watched_ads")
    op.drop_table("watchlists")
