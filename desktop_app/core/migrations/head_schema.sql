-- revision: 0011
CREATE TABLE alembic_version (
	version_num VARCHAR(32) NOT NULL, 
	CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)
)
-- next statement
CREATE TABLE jobs (
	seq INTEGER NOT NULL, 
	id VARCHAR(32) NOT NULL, 
	status VARCHAR(16) NOT NULL, 
	progress FLOAT NOT NULL, 
	stage TEXT NOT NULL, 
	message TEXT NOT NULL, 
	source TEXT NOT NULL, 
	dedupe_key VARCHAR(64) NOT NULL, 
	created_at FLOAT NOT NULL, 
	started_at FLOAT, 
	finished_at FLOAT, 
	error TEXT, 
	result JSON, 
	owner TEXT, 
	lease_expires_at FLOAT, 
	attempts INTEGER NOT NULL, 
	crash_count INTEGER NOT NULL, 
	cancel_requested INTEGER NOT NULL, 
	completed_stages JSON NOT NULL, 
	stage_state JSON NOT NULL, version INTEGER DEFAULT '1' NOT NULL, stage_key TEXT DEFAULT '' NOT NULL, claim INTEGER DEFAULT '0' NOT NULL, 
	PRIMARY KEY (seq), 
	UNIQUE (id)
)
-- next statement
CREATE INDEX ix_jobs_status_seq ON jobs (status, seq)
-- next statement
CREATE UNIQUE INDEX ux_jobs_active_dedupe ON jobs (dedupe_key) WHERE status IN ('pending', 'running')
-- next statement
CREATE TABLE job_events (
	id INTEGER NOT NULL, 
	job_id VARCHAR(32) NOT NULL, 
	at FLOAT NOT NULL, 
	kind VARCHAR(24) NOT NULL, 
	stage TEXT NOT NULL, 
	message TEXT NOT NULL, 
	item_key TEXT, 
	PRIMARY KEY (id), 
	FOREIGN KEY(job_id) REFERENCES jobs (id) ON DELETE CASCADE
)
-- next statement
CREATE INDEX ix_job_events_job_id ON job_events (job_id)
-- next statement
CREATE TABLE job_items (
	job_id VARCHAR(32) NOT NULL, 
	"key" TEXT NOT NULL, 
	position INTEGER NOT NULL, 
	data JSON NOT NULL, 
	status VARCHAR(16) NOT NULL, 
	checkpoints JSON NOT NULL, 
	error TEXT, 
	updated_at FLOAT NOT NULL, outcome VARCHAR(24), active_stage TEXT, crashes INTEGER DEFAULT '0' NOT NULL, 
	PRIMARY KEY (job_id, "key"), 
	FOREIGN KEY(job_id) REFERENCES jobs (id) ON DELETE CASCADE
)
-- next statement
CREATE TABLE ads (
	ad_id TEXT NOT NULL, 
	source_kind VARCHAR(16) NOT NULL, 
	page_id TEXT, 
	page_name TEXT, 
	delivery_start TEXT, 
	delivery_stop TEXT, 
	library_url TEXT, 
	metadata_json JSON NOT NULL, 
	first_seen FLOAT NOT NULL, 
	last_seen FLOAT NOT NULL, 
	PRIMARY KEY (ad_id)
)
-- next statement
CREATE TABLE videos (
	sha256 VARCHAR(64) NOT NULL, 
	whisper_model TEXT NOT NULL, 
	duration_s FLOAT NOT NULL, 
	language TEXT, 
	language_probability FLOAT, 
	text TEXT NOT NULL, 
	segments JSON NOT NULL, 
	created_at FLOAT NOT NULL, speech_check JSON, 
	PRIMARY KEY (sha256, whisper_model)
)
-- next statement
CREATE TABLE analyses (
	id INTEGER NOT NULL, 
	ad_id TEXT NOT NULL, 
	video_index INTEGER NOT NULL, 
	job_id VARCHAR(32), 
	video_path TEXT, 
	video_sha256 VARCHAR(64), 
	transcript_hash VARCHAR(64) NOT NULL, 
	analyser TEXT NOT NULL, 
	model TEXT, 
	base_url TEXT, 
	prompt_version TEXT NOT NULL, 
	schema_version TEXT NOT NULL, 
	analysis JSON NOT NULL, 
	usage JSON, 
	seconds FLOAT NOT NULL, 
	created_at FLOAT NOT NULL, whisper_model TEXT, hook_type TEXT, hook_text TEXT, cta_type TEXT, offer_types JSON, angle TEXT, tone TEXT, overall_score INTEGER, hook_score INTEGER, 
	PRIMARY KEY (id), 
	FOREIGN KEY(ad_id) REFERENCES ads (ad_id) ON DELETE CASCADE, 
	FOREIGN KEY(job_id) REFERENCES jobs (id) ON DELETE SET NULL
)
-- next statement
CREATE INDEX ix_analyses_job_id ON analyses (job_id)
-- next statement
CREATE INDEX ix_analyses_video_sha256 ON analyses (video_sha256)
-- next statement
CREATE UNIQUE INDEX ux_analyses_cache ON analyses (ad_id, video_index, transcript_hash, analyser, prompt_version)
-- next statement
CREATE VIRTUAL TABLE search_index USING fts5(analysis_id UNINDEXED, ad_id UNINDEXED, page_name, copy, transcript, analysis, tokenize='porter unicode61')
-- next statement
CREATE TABLE conversations (
	id INTEGER NOT NULL, 
	title TEXT NOT NULL, 
	created_at FLOAT NOT NULL, 
	updated_at FLOAT NOT NULL, 
	PRIMARY KEY (id)
)
-- next statement
CREATE TABLE chat_messages (
	id INTEGER NOT NULL, 
	conversation_id INTEGER NOT NULL, 
	role VARCHAR(16) NOT NULL, 
	content TEXT NOT NULL, 
	status VARCHAR(16) NOT NULL, 
	note TEXT NOT NULL, 
	sources JSON NOT NULL, 
	created_at FLOAT NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(conversation_id) REFERENCES conversations (id) ON DELETE CASCADE
)
-- next statement
CREATE INDEX ix_chat_messages_conversation_id ON chat_messages (conversation_id)
-- next statement
CREATE TABLE visuals (
	sha256 VARCHAR(64) NOT NULL, 
	data JSON NOT NULL, 
	created_at FLOAT NOT NULL, 
	PRIMARY KEY (sha256)
)
-- next statement
CREATE TABLE boards (
	id INTEGER NOT NULL, 
	name TEXT COLLATE "NOCASE" NOT NULL, 
	created_at FLOAT NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (name)
)
-- next statement
CREATE TABLE board_items (
	board_id INTEGER NOT NULL, 
	analysis_id INTEGER NOT NULL, 
	tags JSON NOT NULL, 
	note TEXT NOT NULL, 
	added_at FLOAT NOT NULL, 
	PRIMARY KEY (board_id, analysis_id), 
	FOREIGN KEY(board_id) REFERENCES boards (id) ON DELETE CASCADE, 
	FOREIGN KEY(analysis_id) REFERENCES analyses (id) ON DELETE CASCADE
)
-- next statement
CREATE INDEX ix_board_items_analysis_id ON board_items (analysis_id)
-- next statement
CREATE TABLE watchlists (
	id INTEGER NOT NULL, 
	name TEXT NOT NULL, 
	page_id TEXT, 
	terms TEXT, 
	countries JSON NOT NULL, 
	schedule VARCHAR(16) NOT NULL, 
	created_at FLOAT NOT NULL, 
	page_name TEXT, 
	last_started FLOAT, 
	last_job_id TEXT, 
	last_checked FLOAT, 
	checked_job_id TEXT, 
	PRIMARY KEY (id)
)
-- next statement
CREATE TABLE watched_ads (
	watchlist_id INTEGER NOT NULL, 
	ad_id TEXT NOT NULL, 
	first_seen FLOAT NOT NULL, 
	last_seen FLOAT NOT NULL, 
	active INTEGER NOT NULL, 
	ended_at FLOAT, 
	first_job_id TEXT NOT NULL, 
	ended_job_id TEXT, 
	outcome VARCHAR(24), 
	reach JSON NOT NULL, 
	PRIMARY KEY (watchlist_id, ad_id), 
	FOREIGN KEY(watchlist_id) REFERENCES watchlists (id) ON DELETE CASCADE
)
-- next statement
INSERT INTO alembic_version (version_num) VALUES ('0011')
