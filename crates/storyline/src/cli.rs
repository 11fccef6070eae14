//! Command-line flags. Every flag that has a setting in the config file can
//! also come from a `STORYLINE_*` environment variable; see `config.rs` for
//! the order in which they win.

use crate::config;
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::net::SocketAddr;
use std::path::PathBuf;

/// storyline: ingest news articles, relate them, and serve them.
#[derive(Parser, Debug)]
#[command(name = "storyline", version, about, long_about = None)]
pub struct Cli {
    /// Where the store lives [default: ./storyline-data]
    #[arg(long, global = true, env = "STORYLINE_DATA_DIR")]
    pub data_dir: Option<PathBuf>,

    /// The shared store, a PostgreSQL URL (postgres://user:password@host:port/db),
    /// for running several storyline processes over one database; without
    /// it the store is the SQLite file in the data directory (which still
    /// holds this process's on-disk index either way)
    #[arg(long, global = true, env = "STORYLINE_STORE", value_name = "URL")]
    pub store: Option<String>,

    /// A TOML config file [default: ./storyline.toml when it exists]
    #[arg(long, global = true, env = "STORYLINE_CONFIG")]
    pub config: Option<PathBuf>,

    /// No progress bars or notes on stderr (errors are still printed)
    #[arg(long, short, global = true)]
    pub quiet: bool,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Ingest files, folders, feeds or stdin (`-`) into the store
    Ingest(IngestArgs),
    /// List the stored articles, newest first
    List(ListArgs),
    /// Show one article (by id or URL) with everything known about it
    Show(ShowArgs),
    /// Full-text search, best match first (exit 1 when nothing matches)
    Search(SearchArgs),
    /// Parse one input and show the article it gives, without a store
    Extract(ExtractArgs),
    /// Similar Posts of one article, or of every article with --all
    Similar(SimilarArgs),
    /// The stories: articles about one real-world event, most recently active first
    Stories(StoriesArgs),
    /// The people, organisations and places named in the stored articles, linked across
    /// articles, most widely named first
    Entities(EntitiesArgs),
    /// One entity (by id or name): names, roles, the articles naming it, its quotes
    Entity(EntityArgs),
    /// One story with its timeline
    Story(StoryArgs),
    /// Rebuild every story from scratch (new articles are placed at ingest anyway)
    Recluster(ReclusterArgs),
    /// Rebuild derived data from the store: analyse every article again, then link, index and
    /// place them (story ids are kept)
    Reindex(ReindexArgs),
    /// Write every stored article out (JSONL that `ingest` reads back)
    Export(ExportArgs),
    /// Copy a whole store between the embedded SQLite one (a data directory) and a shared
    /// PostgreSQL one (a postgres:// URL), either way, into an empty target; prints the rows
    /// and a checksum of each table on both sides (exit 1 when they differ)
    Migrate(MigrateArgs),
    /// Web sources to watch: RSS/Atom/JSON feeds, (news) sitemaps and article pages
    #[command(subcommand)]
    Sources(SourcesCommand),
    /// Poll the watched sources and fetch their new articles, until stopped (Ctrl-C or SIGTERM)
    Watch(WatchArgs),
    /// Serve the web site and JSON API
    Serve(ServeArgs),
    /// Load the bundled sample corpus into a fresh store and serve it
    Demo(DemoArgs),
    /// Named-entity tags (IOB2) for pre-tokenised JSON Lines on stdin: {"id","tokens"} in,
    /// {"id","tokens","ner"} out
    Tag(TagArgs),
    /// Train a model
    #[command(subcommand)]
    Train(TrainCommand),
    /// Benchmarks
    #[command(subcommand)]
    Bench(BenchCommand),
}

#[derive(Args, Debug)]
pub struct IngestArgs {
    /// Files, folders (read recursively), http(s) URLs, or `-` for stdin
    #[arg(required = true)]
    pub inputs: Vec<String>,
    /// Return once the articles are stored, without waiting for their derived work (analysis,
    /// index, story); the next command that reads derived data does it
    #[arg(long, alias = "no-stories")]
    pub no_wait: bool,
    #[command(flatten)]
    pub fetch: FetchArgs,
    /// Print the summary as one JSON object
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub limits: LimitArgs,
    /// Articles per transaction [default: 500]
    #[arg(long, env = "STORYLINE_BATCH_SIZE")]
    pub batch_size: Option<usize>,
}

#[derive(Args, Debug)]
pub struct ListArgs {
    /// JSON Lines: {"id","title","published","source","url"}
    #[arg(long)]
    pub json: bool,
    /// At most this many articles
    #[arg(long)]
    pub limit: Option<usize>,
}

#[derive(Args, Debug)]
pub struct SearchArgs {
    /// Words that must all occur; "quoted words" match as a phrase
    #[arg(required = true)]
    pub query: Vec<String>,
    /// First publication day (YYYY-MM-DD)
    #[arg(long)]
    pub from: Option<String>,
    /// Last publication day (YYYY-MM-DD)
    #[arg(long)]
    pub to: Option<String>,
    /// Only this source
    #[arg(long)]
    pub source: Option<String>,
    /// Only this language (ISO 639-1)
    #[arg(long)]
    pub lang: Option<String>,
    /// At most this many results
    #[arg(long, short = 'n', default_value_t = 20)]
    pub limit: usize,
    /// JSON Lines: {"id","title","published","source","snippet","score"}
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct ShowArgs {
    /// Article id or URL
    pub id: String,
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct ExtractArgs {
    /// A text, Markdown, HTML or JSON file (`-` for stdin)
    pub file: String,
    /// Publication date to assume when the input has none
    #[arg(long)]
    pub published: Option<String>,
    /// The page's URL, when the input does not say
    #[arg(long)]
    pub url: Option<String>,
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub limits: LimitArgs,
}

#[derive(Args, Debug)]
pub struct StoriesArgs {
    /// Only stories active since then: a span back from now (30m, 12h, 7d, 2w) or a date (2023-06-20)
    #[arg(long)]
    pub since: Option<String>,
    /// Only stories in which this name (person, place, organisation) weighs, case-insensitive
    #[arg(long)]
    pub entity: Option<String>,
    /// At most this many stories
    #[arg(long)]
    pub limit: Option<usize>,
    /// JSON Lines: one story per line ({"id","title","articles","first_seen","last_seen",…})
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct EntitiesArgs {
    /// Only this type: person, org, place or misc
    #[arg(long = "type")]
    pub kind: Option<String>,
    /// At most this many entities
    #[arg(long)]
    pub limit: Option<usize>,
    #[command(flatten)]
    pub model: ModelArg,
    /// JSON Lines: {"id","name","type","aliases","roles","articles","mentions"}
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct EntityArgs {
    /// Entity id (as `storyline entities` prints it) or a name or alias
    pub entity: String,
    #[command(flatten)]
    pub model: ModelArg,
    /// How many of the articles naming it to list, newest linked first
    /// (the counts cover them all)
    #[arg(long, default_value_t = 200, value_parser = clap::value_parser!(u64).range(1..))]
    pub limit: u64,
    /// One JSON object
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct StoryArgs {
    /// Story id (as `storyline stories` prints it)
    pub id: String,
    /// One JSON object
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct ReindexArgs {
    /// Print the result as one JSON object
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct ReclusterArgs {
    /// Print the result as one JSON object
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct SimilarArgs {
    /// Article id or URL
    #[arg(required_unless_present = "all", conflicts_with = "all")]
    pub id: Option<String>,
    /// Every stored article, one JSON line each
    #[arg(long)]
    pub all: bool,
    /// How many similar posts
    #[arg(short, default_value_t = 5)]
    pub k: usize,
    #[arg(long)]
    pub json: bool,
    /// Only articles published at most this many days before or after
    #[arg(long, value_name = "DAYS")]
    pub window: Option<u32>,
    /// Only articles in this language (ISO 639-1, e.g. en)
    #[arg(long)]
    pub lang: Option<String>,
    /// Only articles from this source (repeatable)
    #[arg(long = "source", value_name = "SOURCE")]
    pub sources: Vec<String>,
    /// Never articles from this source (repeatable)
    #[arg(long = "exclude-source", value_name = "SOURCE")]
    pub exclude_sources: Vec<String>,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum ExportFormat {
    Jsonl,
}

#[derive(Args, Debug)]
pub struct ExportArgs {
    #[arg(long, value_enum, default_value = "jsonl")]
    pub format: ExportFormat,
    /// Write to this file instead of stdout
    #[arg(long, short)]
    pub output: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub struct MigrateArgs {
    /// The store to copy: a data directory or a postgres:// URL
    #[arg(long, value_name = "DIR|URL")]
    pub from: String,
    /// The empty store to copy into: a postgres:// URL or a data directory (the other kind)
    #[arg(long, value_name = "URL|DIR")]
    pub to: String,
    /// Print the table as JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct ServeArgs {
    /// Address to listen on [default: 127.0.0.1:8080]
    #[arg(long, env = "STORYLINE_ADDR")]
    pub addr: Option<SocketAddr>,
    /// Bearer token that opens the write endpoints (POST /api/articles); without one they are off
    #[arg(long, env = "STORYLINE_API_TOKEN", hide_env_values = true)]
    pub api_token: Option<String>,
    /// Origin whose pages may call the JSON API from a browser (CORS), e.g. https://news.example;
    /// repeat or comma-separate for several, `*` for any [default: none]
    #[arg(long = "cors-origin", env = "STORYLINE_CORS_ORIGINS", value_delimiter = ',')]
    pub cors_origins: Vec<String>,
    /// Searches one client address may run at once; 0 for no limit (behind a
    /// reverse proxy every request comes from the proxy's address) [default: 2]
    #[arg(long, env = "STORYLINE_SEARCHES_PER_CLIENT", value_name = "N")]
    pub searches_per_client: Option<usize>,
    /// Reads worked on at once per core; more wait up to 25 ms for room, then get 503 with
    /// Retry-After. Raise it when requests wait on something other than the CPU [default: 4]
    #[arg(long, env = "STORYLINE_IN_FLIGHT_PER_CORE", value_name = "N", value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub in_flight_per_core: Option<u16>,
    /// Also watch the sources (as `storyline watch` does) in this process
    #[arg(long, env = "STORYLINE_WATCH")]
    pub watch: bool,
    #[command(flatten)]
    pub polite: PoliteArgs,
    /// Refuse a request body (POST /api/articles) larger than this [default: 32MiB]
    #[arg(long, env = "STORYLINE_MAX_BODY_SIZE", value_name = "SIZE", value_parser = config::size)]
    pub max_body_size: Option<u64>,
    #[command(flatten)]
    pub limits: LimitArgs,
}

#[derive(Subcommand, Debug)]
pub enum SourcesCommand {
    /// Watch a feed, a (news) sitemap or sitemap index, or an article page
    Add(SourcesAddArgs),
    /// The watched sources with the state of their last poll
    List(SourcesListArgs),
    /// Stop watching a source (by URL or name); its articles stay
    Remove(SourcesRemoveArgs),
}

#[derive(Args, Debug)]
pub struct SourcesAddArgs {
    /// The http(s) URL of the feed, sitemap or page
    pub url: String,
    /// File its articles under this name [default: the feed's or site's own name]
    #[arg(long)]
    pub name: Option<String>,
    /// How often to poll it: a number with a unit (30s, 10m, 2h, 1d)
    #[arg(long, default_value = "10m", value_name = "SPAN")]
    pub interval: String,
    /// Allow a source on a loopback or private address (polling it needs
    /// `watch --allow-private` too)
    #[arg(long, env = "STORYLINE_ALLOW_PRIVATE")]
    pub allow_private: bool,
}

#[derive(Args, Debug)]
pub struct SourcesListArgs {
    /// JSON Lines: {"url","name","interval_secs","added_at","etag","last_modified","last_polled",
    /// "next_due","errors","last_error"}
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct SourcesRemoveArgs {
    /// The source's URL or name
    pub source: String,
}

#[derive(Args, Debug)]
pub struct WatchArgs {
    /// Poll every source once, fetch what is new, and exit (for cron)
    #[arg(long)]
    pub once: bool,
    /// Do not place new articles in stories (`storyline stories` will)
    #[arg(long)]
    pub no_stories: bool,
    /// Print the tally as one JSON object when done
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub polite: PoliteArgs,
    #[command(flatten)]
    pub limits: LimitArgs,
}

/// What one input may cost (README: Limits). Past a bound the input is
/// cut or flattened with a warning, or rejected with its reason, and the
/// others go on; the summary counts each bound reached. Sizes are bytes, or
/// a number with KiB, MiB, GiB (or kB, MB, GB).
#[derive(Args, Debug, Default)]
pub struct LimitArgs {
    /// Reject an input read whole larger than this (JSON Lines are streamed, line by line)
    /// [default: 256MiB]
    #[arg(long, env = "STORYLINE_MAX_FILE_SIZE", value_name = "SIZE", value_parser = config::size)]
    pub max_file_size: Option<u64>,
    /// Reject a JSON Lines record longer than this, naming its line [default: 16MiB]
    #[arg(long, env = "STORYLINE_MAX_LINE_SIZE", value_name = "SIZE", value_parser = config::size)]
    pub max_line_size: Option<u64>,
    /// Cut an article's text longer than this at a paragraph or word boundary [default: 1MiB]
    #[arg(long, env = "STORYLINE_MAX_TEXT_SIZE", value_name = "SIZE", value_parser = config::size)]
    pub max_text_size: Option<u64>,
    /// Flatten HTML elements nested deeper than this (their text is kept) [default: 256]
    #[arg(long, env = "STORYLINE_MAX_HTML_DEPTH", value_name = "N")]
    pub max_html_depth: Option<usize>,
    /// Read at most this many entries of one feed [default: 10000]
    #[arg(long, env = "STORYLINE_MAX_FEED_ENTRIES", value_name = "N")]
    pub max_feed_entries: Option<usize>,
    /// Stop extracting, and separately analysing, one document after this long, keeping what
    /// was found (500ms, 10s, 1m) [default: 10s]
    #[arg(long, env = "STORYLINE_DOCUMENT_TIME", value_name = "SPAN")]
    pub document_time: Option<String>,
}

/// How one URL is fetched (`ingest URL`, `watch`).
#[derive(Args, Debug)]
pub struct FetchArgs {
    /// Allow fetching URLs that resolve to loopback or private addresses
    #[arg(long, env = "STORYLINE_ALLOW_PRIVATE")]
    pub allow_private: bool,
    /// Give up on a URL after this many seconds (connecting, waiting and reading)
    #[arg(
        long,
        env = "STORYLINE_FETCH_TIMEOUT",
        default_value_t = 30,
        value_name = "SECS"
    )]
    pub fetch_timeout: u64,
}

/// How `watch` and `serve --watch` fetch.
#[derive(Args, Debug)]
pub struct PoliteArgs {
    #[command(flatten)]
    pub fetch: FetchArgs,
    /// The least pause between two requests to one host (a site's longer Crawl-delay wins)
    /// [default: 1s]
    #[arg(long, env = "STORYLINE_HOST_DELAY", value_name = "SPAN")]
    pub host_delay: Option<String>,
    /// Fetches under way at once, across all hosts (one per host at a time) [default: 4]
    #[arg(long, env = "STORYLINE_FETCH_WORKERS", value_name = "N")]
    pub fetch_workers: Option<usize>,
    /// The most new articles one poll of one source fetches (the rest wait for the next poll)
    #[arg(long, env = "STORYLINE_MAX_NEW", default_value_t = 200)]
    pub max_new: usize,
    /// A URL where site owners can reach whoever runs this crawler; sent in the User-Agent
    #[arg(long, env = "STORYLINE_CONTACT", value_name = "URL")]
    pub contact: Option<String>,
}

#[derive(Args, Debug)]
pub struct DemoArgs {
    /// Address to listen on [default: 127.0.0.1:8080]
    #[arg(long, env = "STORYLINE_ADDR")]
    pub addr: Option<SocketAddr>,
    /// Bearer token that opens the write endpoints (POST /api/articles); without one they are off
    #[arg(long, env = "STORYLINE_API_TOKEN", hide_env_values = true)]
    pub api_token: Option<String>,
    /// Origin whose pages may call the JSON API from a browser (CORS), e.g. https://news.example;
    /// repeat or comma-separate for several, `*` for any [default: none]
    #[arg(long = "cors-origin", env = "STORYLINE_CORS_ORIGINS", value_delimiter = ',')]
    pub cors_origins: Vec<String>,
    /// Load the corpus and exit instead of serving (into --data-dir when given)
    #[arg(long)]
    pub no_serve: bool,
}

/// Where the NER model is read from, unless a flag says otherwise.
#[derive(Args, Debug, Clone)]
pub struct ModelArg {
    /// The NER model file [default: $STORYLINE_NER_MODEL, else models/ner-conll2003.bin in the
    /// current directory or beside the source tree of the binary]
    #[arg(long, env = "STORYLINE_NER_MODEL")]
    pub model: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub struct TagArgs {
    #[command(flatten)]
    pub model: ModelArg,
}

#[derive(Subcommand, Debug)]
pub enum TrainCommand {
    /// The named-entity tagger, from CoNLL-style JSON Lines ({"tokens":[…],"ner":[IOB2 tags]})
    Ner(TrainNerArgs),
}

#[derive(Args, Debug)]
pub struct TrainNerArgs {
    /// Training data, e.g. ../shared/data/ner/conll2003-train.jsonl
    #[arg(long)]
    pub data: PathBuf,
    /// Where to write the model
    #[arg(long, default_value = "models/ner-conll2003.bin")]
    pub out: PathBuf,
    #[command(flatten)]
    pub setup: NerSetup,
}

/// How a tagger is trained, beyond its tagged sentences.
#[derive(Args, Debug, Clone)]
pub struct NerSetup {
    /// Passes over the data (in a fixed-seed shuffled order each time)
    #[arg(long, default_value_t = 14)]
    pub epochs: usize,
    /// Unlabelled articles (JSON Lines with `text`) to learn word classes from, e.g.
    /// ../shared/data/corpora/reuters21578.jsonl; repeat for several. The training sentences
    /// are used too. Without it the model has no word-class features.
    #[arg(long)]
    pub corpus: Vec<PathBuf>,
    /// Lists of names (`LIST<TAB>name` lines, as `scripts/gazetteers` writes them) for
    /// gazetteer features; they are kept in the model. Without it only the built-in list of
    /// company designators is used.
    #[arg(long)]
    pub gazetteers: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub struct BenchNerArgs {
    /// CoNLL-style JSON Lines with gold `ner` tags, e.g. ../shared/data/ner/conll2003-dev.jsonl
    #[arg(long)]
    pub dataset: PathBuf,
    /// Training data for the most-frequent-tag baseline (and the folds of --folds)
    #[arg(long, default_value = "../shared/data/ner/conll2003-train.jsonl")]
    pub train: PathBuf,
    #[command(flatten)]
    pub model: ModelArg,
    /// Also score an untuned figure: train on all but one of this many consecutive folds of
    /// --train (with the settings below, as `train ner` takes them) and tag the fold left out,
    /// for each fold in turn
    #[arg(long, default_value_t = 0)]
    pub folds: usize,
    #[command(flatten)]
    pub setup: NerSetup,
    /// One JSON object
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct BenchTimeArgs {
    /// TempEval-3 style JSON Lines (`text`, `published`, `timexes`), e.g.
    /// ../shared/data/time/tempeval3-timebank.jsonl
    #[arg(long, required = true)]
    pub dataset: Vec<PathBuf>,
    /// One JSON object per dataset
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct BenchExtractArgs {
    /// JSON Lines articles (e.g. ../shared/data/corpora/bbc-news.jsonl), or for `bench
    /// extract` also a folder of HTML pages with gold texts
    #[arg(long, required = true)]
    pub dataset: Vec<PathBuf>,
    #[command(flatten)]
    pub model: ModelArg,
    /// One JSON object per dataset
    #[arg(long)]
    pub json: bool,
}

#[derive(Subcommand, Debug)]
pub enum BenchCommand {
    /// Extraction. On a folder of HTML pages with gold texts: main-text precision, recall
    /// and F1 and pages/s, laid out as ../shared/data/article-extraction (beside the reference
    /// extractors' published outputs) or as the WCXB benchmark, ../shared/data/wcxb (per page
    /// type, both metrics, folds by domain, title/author/date match rates, beside trafilatura
    /// run on the same pages when target/trafilatura-venv exists, see scripts/extract-speed).
    /// On JSON Lines articles: the speed of the whole analysis (articles/s, words/s, one
    /// 5,000-word article)
    Extract(BenchExtractArgs),
    /// Events and entities on MEANTIME-style articles (e.g.
    /// ../shared/data/extraction/meantime-apple-airbus.jsonl): event trigger P/R/F1, named
    /// mentions found and typed, cross-document entity linking (BCubed), beside baselines
    Events(BenchExtractArgs),
    /// Quotes and speakers on PolNeAR-style attribution relations (e.g.
    /// ../shared/data/quotes/polnear-dev.jsonl): quote span and speaker attribution P/R/F1, beside a
    /// nearest-name baseline
    Quotes(BenchExtractArgs),
    /// Temporal expressions: TIMEX3 strict and relaxed span P/R/F1 and value accuracy, beside
    /// an explicit-dates-only baseline
    Time(BenchTimeArgs),
    /// Named-entity recognition: entity-level P/R/F1 per type (conlleval) and tokens/s, beside
    /// a most-frequent-tag baseline
    Ner(BenchNerArgs),
    /// Ingest speed and memory on generated articles, against a plain SQLite baseline
    Ingest(BenchIngestArgs),
    /// Write the generated benchmark corpus as JSON Lines to stdout
    Corpus(BenchCorpusArgs),
    /// Similar Posts quality (P@1, P@5, R@10, MAP@10, nDCG@10) and speed on a story-labelled
    /// JSONL dataset, beside TF-IDF and BM25 baselines
    Similar(BenchSimilarArgs),
    /// Story clustering quality (BCubed P/R/F1, ARI, NMI) and speed on a story-labelled JSONL
    /// dataset, articles fed in publication order, beside a single-pass TF-IDF baseline
    Stories(BenchStoriesArgs),
    /// The product's commands at growing store sizes, each a fresh process: ingest from empty,
    /// `similar ID`, `show ID`, 100 more articles, `serve` to its first article page and its
    /// RSS after 1,000 pages, and all-pairs top-5 beside scikit-learn (scripts/similar-baseline)
    Scale(BenchScaleArgs),
}

#[derive(Args, Debug)]
pub struct BenchScaleArgs {
    /// Store sizes of generated articles, comma-separated
    #[arg(long, value_delimiter = ',', default_values_t = [10_000usize, 100_000])]
    pub articles: Vec<usize>,
    /// Also measure these JSON Lines corpora (e.g. ../shared/data/corpora/*.jsonl)
    #[arg(long)]
    pub corpus: Vec<PathBuf>,
    /// One JSON object per size or corpus
    #[arg(long)]
    pub json: bool,
    /// Where corpora and stores are written (default: a new folder under the temporary folder)
    #[arg(long)]
    pub work_dir: Option<PathBuf>,
    /// Keep the work folder afterwards
    #[arg(long)]
    pub keep: bool,
    /// Leave out the scikit-learn baseline (else it must be installed:
    /// `scripts/similar-baseline --install`)
    #[arg(long)]
    pub no_baseline: bool,
    /// Run all-pairs top-5 (and the baseline) only at sizes of at most this
    /// many articles: at 1,000,000 it takes about an hour
    #[arg(long, value_name = "ARTICLES")]
    pub all_pairs_up_to: Option<usize>,
}

#[derive(Args, Debug)]
pub struct BenchStoriesArgs {
    /// JSON Lines articles with a `story` label
    #[arg(long, required_unless_present = "synthetic")]
    pub dataset: Vec<PathBuf>,
    /// Instead: speed and memory on this many generated articles
    #[arg(long, conflicts_with = "dataset")]
    pub synthetic: Option<usize>,
    /// One JSON object per dataset
    #[arg(long)]
    pub json: bool,
    /// Override a clustering or ranking option (KEY=VALUE, repeatable), e.g.
    /// `--set join_threshold=0.25`
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// Print the scores at each join threshold from 0.05 to 0.90 (how the
    /// default was fitted on dev data)
    #[arg(long, conflicts_with = "synthetic")]
    pub sweep: bool,
    /// Write each article's gold story and storyline's story as JSON Lines
    /// ({"id","gold","story"}) to this file, for error analysis
    #[arg(long, value_name = "FILE", conflicts_with = "synthetic")]
    pub assignments: Option<PathBuf>,
    /// Leave linked entities out of the evidence (capitalised names only), to
    /// measure what they add; without a loadable model they are left out anyway
    #[arg(long)]
    pub no_entities: bool,
    #[command(flatten)]
    pub model: ModelArg,
}

#[derive(Args, Debug)]
pub struct BenchSimilarArgs {
    /// JSON Lines articles with a `story` label
    #[arg(long, required_unless_present = "synthetic")]
    pub dataset: Vec<PathBuf>,
    /// Instead: speed and memory on this many generated articles
    #[arg(long, conflicts_with = "dataset")]
    pub synthetic: Option<usize>,
    /// One JSON object per dataset
    #[arg(long)]
    pub json: bool,
    /// Override a ranking option for a tuning run (KEY=VALUE, repeatable), e.g.
    /// `--set names_weight=0.8`
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// Leave linked entities out of the evidence (capitalised names only), to
    /// measure what they add; without a loadable model they are left out anyway
    #[arg(long)]
    pub no_entities: bool,
    #[command(flatten)]
    pub model: ModelArg,
}

#[derive(Args, Debug)]
pub struct BenchCorpusArgs {
    /// How many articles to generate
    #[arg(long, default_value_t = 20_000)]
    pub articles: usize,
}

#[derive(Args, Debug)]
pub struct BenchIngestArgs {
    /// How many articles to generate
    #[arg(long, default_value_t = 20_000)]
    pub articles: usize,
    #[arg(long)]
    pub json: bool,
}
