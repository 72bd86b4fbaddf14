//! `kitei-fuzz`: runs each fuzz target for a bounded time over mutations of
//! its seed corpus, and fails on any crash (docs/fuzzing.md).
//!
//! Each target runs in a child process of its own, so an abort (a stack
//! overflow, an out-of-memory) ends only that child: the parent then makes
//! the last cases again (each case depends only on the seed and its number)
//! with every input written to disk before it runs, and keeps the one that
//! crashed under `--findings`.

use clap::Parser;
use kitei_fuzz::mutate::{self, Dictionary, Rng};
use kitei_fuzz::{Context, Target};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// Fuzz kitei's inputs for a bounded time per target; exit 1 on any finding.
#[derive(Parser, Debug)]
#[command(name = "kitei-fuzz")]
struct Args {
    /// targets to run: request, settings, module, signature, trust (default: all)
    targets: Vec<String>,
    /// the built components (`kitei build`)
    #[arg(long, default_value = "target/policies")]
    policies: PathBuf,
    /// the checked-in seeds, one directory per target
    #[arg(long, default_value = concat!(env!("CARGO_MANIFEST_DIR"), "/corpus"))]
    corpus: PathBuf,
    /// where a crashing input is saved, under `<target>/`
    #[arg(long, default_value = "target/fuzz-findings")]
    findings: PathBuf,
    /// seconds per target after the seeds ran (default: $KITEI_FUZZ_SECONDS,
    /// else 20; 0 runs the seeds alone)
    #[arg(long)]
    seconds: Option<f64>,
    /// at most this many cases per target
    #[arg(long)]
    runs: Option<u64>,
    /// the run's seed (default: $KITEI_FUZZ_SEED, else the clock); a case is
    /// made again from the seed and its number
    #[arg(long)]
    seed: Option<u64>,
    /// run these files once through the (single) target instead of fuzzing
    #[arg(long, num_args = 1..)]
    replay: Vec<PathBuf>,
    /// a case that runs longer than this many seconds is a hang
    #[arg(long, default_value_t = 30.0)]
    hang_seconds: f64,
    #[arg(long, hide = true)]
    child: bool,
    /// first case to run (child)
    #[arg(long, hide = true, default_value_t = 0)]
    from: u64,
    /// write each input here before running it (child)
    #[arg(long, hide = true)]
    record: Option<PathBuf>,
}

fn main() -> ExitCode {
    let args = Args::parse();
    match run(&args) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            eprintln!("kitei-fuzz: {e}");
            ExitCode::from(2)
        }
    }
}

fn run(args: &Args) -> Result<bool, String> {
    let targets: Vec<Target> = if args.targets.is_empty() {
        Target::ALL.to_vec()
    } else {
        args.targets.iter().map(|t| Target::from_name(t).ok_or_else(|| format!("unknown target `{t}`"))).collect::<Result<_, _>>()?
    };
    if !args.replay.is_empty() {
        let [target] = targets[..] else { return Err("--replay needs exactly one target".into()) };
        return replay(args, target);
    }
    if args.child {
        let [target] = targets[..] else { return Err("--child needs exactly one target".into()) };
        return child(args, target);
    }
    let seconds = match args.seconds {
        Some(s) => s,
        None => std::env::var("KITEI_FUZZ_SECONDS").ok().and_then(|s| s.parse().ok()).unwrap_or(20.0),
    };
    let seed = args
        .seed
        .or_else(|| std::env::var("KITEI_FUZZ_SEED").ok().and_then(|s| s.parse().ok()))
        .unwrap_or_else(|| std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos() as u64));
    println!("kitei-fuzz: seed {seed}, {seconds} s per target, policies {}", args.policies.display());
    let mut ok = true;
    let mut passed = 0;
    for target in targets {
        let report = supervise(args, target, seed, seconds)?;
        println!("{}", report.line);
        if report.clean {
            passed += 1;
        } else {
            ok = false;
        }
    }
    let total = if args.targets.is_empty() { Target::ALL.len() } else { args.targets.len() };
    println!("fuzz: {passed} passed, {} failed", total - passed);
    Ok(ok)
}

struct Report {
    clean: bool,
    line: String,
}

/// What a child says on stdout.
enum Said {
    /// cases before this one have run
    Progress(u64),
    /// finished: cases run, and how many of them the first reader accepted
    Done(u64, u64),
    /// a finding saved at this path
    Finding(String),
}

fn spawn(args: &Args, target: Target, seed: u64, from: u64, seconds: f64, runs: Option<u64>, record: Option<&Path>) -> Result<std::process::Child, String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let mut cmd = Command::new(exe);
    cmd.arg("--child").arg(target.name());
    cmd.arg("--policies").arg(&args.policies).arg("--corpus").arg(&args.corpus).arg("--findings").arg(&args.findings);
    cmd.arg("--seed").arg(seed.to_string()).arg("--from").arg(from.to_string()).arg("--seconds").arg(seconds.to_string());
    if let Some(runs) = runs {
        cmd.arg("--runs").arg(runs.to_string());
    }
    if let Some(record) = record {
        cmd.arg("--record").arg(record);
    }
    cmd.stdout(Stdio::piped()).spawn().map_err(|e| format!("cannot start a child: {e}"))
}

/// Runs one target in a child, and turns a crash or a hang into a saved input.
fn supervise(args: &Args, target: Target, seed: u64, seconds: f64) -> Result<Report, String> {
    let name = target.name();
    let started = Instant::now();
    let mut child = spawn(args, target, seed, 0, seconds, args.runs, None)?;
    let (said, last, finished) = listen(&mut child, Duration::from_secs_f64(args.hang_seconds));
    let status = if finished {
        child.wait().map_err(|e| e.to_string())?
    } else {
        let _ = child.kill();
        child.wait().map_err(|e| e.to_string())?
    };
    let elapsed = started.elapsed().as_secs_f64();
    if let Some(Said::Done(runs, accepted)) = said
        && status.success()
    {
        let line = format!("fuzz {name}: {runs} runs ({accepted} past the parser) in {elapsed:.1} s ({:.0}/s), 0 crashes", runs as f64 / elapsed);
        return Ok(Report { clean: true, line });
    }
    if finished && status.code() == Some(2) {
        return Ok(Report { clean: false, line: format!("fuzz {name}: could not start (the reason is above)") });
    }
    if let Some(Said::Finding(path)) = said {
        return Ok(Report { clean: false, line: format!("fuzz {name}: FINDING (seed {seed}), input saved at {path}") });
    }
    // the child died (abort, signal) or hung at a case at or after `last`:
    // make those cases again, each written to disk before it runs
    let what = if finished { format!("crashed ({status})") } else { "hung".to_string() };
    let dir = args.findings.join(name);
    std::fs::create_dir_all(&dir).map_err(|e| format!("`{}`: {e}", dir.display()))?;
    let pending = dir.join(format!("pending-{seed}-{last}"));
    let mut again = spawn(args, target, seed, last, seconds.max(60.0), Some(10_000), Some(&pending))?;
    let (_, _, finished) = listen(&mut again, Duration::from_secs_f64(args.hang_seconds));
    if !finished {
        let _ = again.kill();
    }
    let replayed = again.wait().map_err(|e| e.to_string())?;
    let line = if !replayed.success() && pending.exists() {
        let bytes = std::fs::read(&pending).map_err(|e| e.to_string())?;
        let kind = if finished { "crash" } else { "hang" };
        let file = dir.join(format!("{kind}-{}", &kitei::component::sha256_hex(&bytes)[..16]));
        std::fs::rename(&pending, &file).map_err(|e| e.to_string())?;
        format!("fuzz {name}: FINDING: the child {what} (seed {seed}, case ≥ {last}); input saved at {}", file.display())
    } else {
        let _ = std::fs::remove_file(&pending);
        format!("fuzz {name}: FINDING: the child {what} (seed {seed}, case ≥ {last}) but not again when the cases were made again")
    };
    Ok(Report { clean: false, line })
}

/// Reads a child's reports until it exits or says nothing for `quiet`:
/// its last word, the last case known to have run, and whether it exited.
fn listen(child: &mut std::process::Child, quiet: Duration) -> (Option<Said>, u64, bool) {
    let Some(stdout) = child.stdout.take() else { return (None, 0, true) };
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            let mut words = line.split_whitespace();
            let said = match (words.next(), words.next()) {
                (Some("progress"), Some(n)) => n.parse().ok().map(Said::Progress),
                (Some("done"), Some(n)) => n.parse().ok().map(|n| Said::Done(n, words.next().and_then(|a| a.parse().ok()).unwrap_or(0))),
                (Some("finding"), Some(p)) => Some(Said::Finding(p.to_string())),
                _ => None,
            };
            if let Some(said) = said
                && tx.send(said).is_err()
            {
                break;
            }
        }
    });
    let mut last = 0;
    let mut final_word = None;
    loop {
        match rx.recv_timeout(quiet) {
            Ok(Said::Progress(n)) => last = n,
            Ok(other) => final_word = Some(other),
            Err(mpsc::RecvTimeoutError::Disconnected) => return (final_word, last, true),
            Err(mpsc::RecvTimeoutError::Timeout) => return (final_word, last, false),
        }
    }
}

/// The checked-in seeds of `target`, then those made from build outputs.
fn seeds(args: &Args, ctx: &Context, target: Target) -> Result<Vec<Vec<u8>>, String> {
    let dir = args.corpus.join(target.name());
    let mut files: Vec<PathBuf> =
        std::fs::read_dir(&dir).map_err(|e| format!("`{}`: {e}", dir.display()))?.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.is_file()).collect();
    files.sort();
    let mut out = Vec::new();
    for f in files {
        out.push(std::fs::read(&f).map_err(|e| format!("`{}`: {e}", f.display()))?);
    }
    out.extend(ctx.derived_seeds(target)?);
    Ok(out)
}

fn context(args: &Args) -> Result<Context, String> {
    let dir = args.corpus.join(Target::Request.name());
    let mut probes = Vec::new();
    if let Ok(read) = std::fs::read_dir(&dir) {
        let mut files: Vec<PathBuf> = read.filter_map(|e| e.ok().map(|e| e.path())).collect();
        files.sort();
        probes = files.iter().filter_map(|f| std::fs::read(f).ok()).collect();
    }
    Context::new(&args.policies, &probes)
}

/// One case: seed `case` itself while there are seeds, else a mutation of one.
fn make(target: Target, rng: &mut Rng, seeds: &[Vec<u8>], dict: &Dictionary) -> Vec<u8> {
    let Some(base) = rng.pick(seeds) else { return Vec::new() };
    let mut input = base.clone();
    let max = target.max_len();
    for _ in 0..=rng.below(1) {
        input = match (target, rng.below(10)) {
            (_, 9) if rng.one_in(2) => {
                // bytes from nowhere, sometimes after a wasm header
                let mut out = if target == Target::Module && rng.one_in(2) { base[..base.len().min(8)].to_vec() } else { Vec::new() };
                let n = rng.size(4096);
                out.extend((0..n).map(|_| rng.bits() as u8));
                out
            }
            (Target::Module, 0..=6) => mutate::component(rng, &input, seeds, dict),
            (Target::Trust, 0..=4) if serde_json::from_slice::<serde_json::Value>(&input).is_err() => mutate::lines(rng, &input, dict),
            (_, 0..=7) => match mutate::json(rng, &input, dict) {
                Some(out) => out,
                None => {
                    mutate::bytes(rng, &mut input, seeds, dict, max);
                    input
                }
            },
            _ => {
                mutate::bytes(rng, &mut input, seeds, dict, max);
                input
            }
        };
    }
    input.truncate(max);
    input
}

/// The fuzzing loop, in a child process; cases run on a thread with a
/// 2 MiB stack, as a request thread of the server has.
fn child(args: &Args, target: Target) -> Result<bool, String> {
    let ctx = context(args)?;
    let seeds = seeds(args, &ctx, target)?;
    let dict = Dictionary::from_seeds(&seeds);
    let seed = args.seed.unwrap_or(0);
    let limit = Duration::from_secs_f64(args.seconds.unwrap_or(20.0));
    let runs = args.runs.unwrap_or(u64::MAX);
    let findings = args.findings.join(target.name());
    std::panic::set_hook(Box::new(|info| eprintln!("kitei-fuzz: panic: {info}")));
    let body = || -> Result<bool, String> {
        let started = Instant::now();
        let mut last_report = Instant::now();
        let mut out = std::io::stdout().lock();
        let mut case = args.from;
        let mut accepted = 0u64;
        while case - args.from < runs && ((case as usize) < seeds.len() || started.elapsed() < limit) {
            let input = if (case as usize) < seeds.len() { seeds[case as usize].clone() } else { make(target, &mut Rng::for_case(seed, case), &seeds, &dict) };
            if let Some(record) = &args.record {
                let _ = std::fs::write(record, &input);
            }
            let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| ctx.run(target, &input)));
            let problem = match result {
                Ok(Ok(deeper)) => {
                    accepted += u64::from(deeper);
                    None
                }
                Ok(Err(message)) => Some(("divergence", message)),
                Err(_) => Some(("panic", "a panic (message above)".to_string())),
            };
            if let Some((kind, message)) = problem {
                let _ = std::fs::create_dir_all(&findings);
                let file = findings.join(format!("{kind}-{}", &kitei::component::sha256_hex(&input)[..16]));
                let _ = std::fs::write(&file, &input);
                eprintln!("kitei-fuzz: {} case {case}: {kind}: {message}", target.name());
                let _ = writeln!(out, "finding {}", file.display());
                return Ok(false);
            }
            case += 1;
            if args.record.is_some() || last_report.elapsed() > Duration::from_millis(50) || case.is_multiple_of(256) {
                let _ = writeln!(out, "progress {case}");
                let _ = out.flush();
                last_report = Instant::now();
            }
        }
        let _ = writeln!(out, "done {} {accepted}", case - args.from);
        Ok(true)
    };
    std::thread::scope(|s| {
        let thread = std::thread::Builder::new().stack_size(2 << 20).spawn_scoped(s, body).map_err(|e| e.to_string())?;
        thread.join().map_err(|_| "the fuzzing thread panicked outside a case".to_string())?
    })
}

/// Runs files once through a target: a finding's input, or a regression seed.
fn replay(args: &Args, target: Target) -> Result<bool, String> {
    let ctx = context(args)?;
    let mut ok = true;
    for file in &args.replay {
        let bytes = std::fs::read(file).map_err(|e| format!("`{}`: {e}", file.display()))?;
        match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| ctx.run(target, &bytes))) {
            Ok(Ok(deeper)) => println!("{}: ok ({})", file.display(), if deeper { "accepted" } else { "refused" }),
            Ok(Err(message)) => {
                println!("{}: divergence: {message}", file.display());
                ok = false;
            }
            Err(_) => {
                println!("{}: panic", file.display());
                ok = false;
            }
        }
    }
    Ok(ok)
}
