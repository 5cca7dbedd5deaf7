"""results and search index

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 13:15:23.865874
"""

from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('ads',
    sa.Column('ad_id', sa.Text(), nullable=False),
    sa.Column('source_kind', sa.String(length=16), nullable=False),
    sa.Column('page_id', sa.Text(), nullable=True),
    sa.Column('page_name', sa.Text(), nullable=True),
    sa.Column('delivery_start', sa.Text(), nullable=True),
    sa.Column('delivery_stop', sa.Text(), nullable=True),
    sa.Column('library_url', sa.Text(), nullable=True),
    sa.Column('metadata_json', sa.JSON(), nullable=False),
    sa.Column('first_seen', sa.Float(), nullable=False),
    sa.Column('last_seen', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('ad_id')
    )
    op.create_table('videos',
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('whisper_model', sa.Text(), nullable=False),
    sa.Column('duration_s', sa.Float(), nullable=False),
    sa.Column('language', sa.Text(), nullable=True),
    sa.Column('language_probability', sa.Float(), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('segments', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('sha256', 'whisper_model')
    )
    op.create_table('analyses',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('ad_id', sa.Text(), nullable=False),
    sa.Column('video_index', sa.Integer(), nullable=False),
    sa.Column('job_id', sa.String(length=32), nullable=True),
    sa.Column('video_path', sa.Text(), nullable=True),
    sa.Column('video_sha256', sa.String(length=64), nullable=True),
    sa.Column('transcript_hash', sa.String(length=64), nullable=False),
    sa.Column('analyser', sa.Text(), nullable=False),
    sa.Column('model', sa.Text(), nullable=True),
    sa.Column('base_url', sa.Text(), nullable=True),
    sa.Column('prompt_version', sa.Text(), nullable=False),
    sa.Column('schema_version', sa.Text(), nullable=False),
    sa.Column('analysis', sa.JSON(), nullable=False),
    sa.Column('usage', sa.JSON(), nullable=True),
    sa.Column('seconds', sa.Float(), nullable=False),
    sa.Column('created_at', sa.Float(), nullable=False),
    sa.ForeignKeyConstraint(['ad_id'], ['ads.ad_id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['job_id'], ['jobs.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('analyses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_analyses_job_id'), ['job_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_analyses_video_sha256'), ['video_sha256'], unique=False)
        batch_op.create_index('ux_analyses_cache', ['ad_id', 'video_index', 'transcript_hash', 'analyser', 'prompt_version'], unique=True)

    # Full-text search over ad copy, transcripts and analyses (the Results filter and the Chat view).
    op.execute(
        "CREATE VIRTUAL TABLE search_index USING fts5("
        "analysis_id UNINDEXED, ad_id UNINDEXED, page_name, copy, transcript, analysis, "
        "tokenize='porter unicode61')"
    )


def downgrade() -> None:
    op.execute("DROP TABLE search_index")
    with op.batch_alter_table('analyses', schema=None) as batch_op:
        batch_op.drop_index('ux_analyses_cache')
        batch_op.drop_index(batch_op.f('ix_analyses_video_sha256'))
        batch_op.drop_index(batch_op.f('ix_analyses_job_id'))

    op.drop_table('analyses')
    op.drop_table('videos')
    op.drop_table('ads')
