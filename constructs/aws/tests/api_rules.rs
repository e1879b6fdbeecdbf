//! The rules every construct's public API keeps (docs/ARCHITECTURE.md, "Writing a construct"),
//! checked over the signatures of `src/` as parsed by `syn`, so that a new construct cannot
//! drift from them unnoticed:
//!
//! 1. An import, `pub fn from_*` in an `impl` block, reads
//!    `from_<attr>(scope: impl Construct<'a>, id: &str, <attr>: impl Into<Expr<String>>, ...)`
//!    and returns an `Imported*` type (`from_attributes` may take an attributes struct as its
//!    third argument).
//! 2. An `Imported*` type holds the grouping node of its import (`node: Node<'a>`) and
//!    implements `Construct<'a>`.
//! 3. Accessors are named after the attribute: `arn()`, `name()`, `id()`, never
//!    `<type>_arn()`, `<type>_name()` or `<type>_id()` where `<type>` is the construct's own
//!    type (`bucket_name` on `Bucket`, `ImportedBucket` or `IBucket`).

use std::collections::BTreeSet;
use std::fmt;
use std::path::{Path, PathBuf};

use syn::visit::{self, Visit};
use syn::{
    FnArg, GenericArgument, Pat, PathArguments, ReturnType, Signature, Type, TypeParamBound,
};

/// `from_*` functions that are not imports, each with the reason.
const NOT_IMPORTS: &[(&str, &str, &str)] = &[(
    "BuildSpec",
    "from_source_file",
    "reads a buildspec file of the source repository: it creates nothing and imports nothing",
)];

/// `Imported*` types that are not constructs, each with the reason (none today).
const NOT_CONSTRUCTS: &[(&str, &str)] = &[];

/// The attributes an accessor must not repeat the type's name for.
const ATTRIBUTES: [&str; 3] = ["arn", "name", "id"];

/// A function that breaks a rule, and how.
struct Offence {
    file: PathBuf,
    line: usize,
    signature: String,
    problem: String,
}

impl fmt::Display for Offence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}: `{}`: {}",
            self.file.display(),
            self.line,
            self.signature,
            self.problem
        )
    }
}

/// One parsed source file.
struct Source {
    path: PathBuf,
    text: String,
    file: syn::File,
}

impl Source {
    /// The signature as written (possibly over several lines), on one line.
    fn signature(&self, sig: &Signature) -> (usize, String) {
        let start = sig.fn_token.span.start().line;
        let end = sig.ident.span().end().line.max(match &sig.output {
            ReturnType::Default => sig.paren_token.span.close().end().line,
            ReturnType::Type(_, ty) => last_line(ty),
        });
        let text: Vec<&str> = self
            .text
            .lines()
            .skip(start - 1)
            .take(end - start + 1)
            .map(str::trim)
            .collect();
        let joined = text.join(" ").replace("( ", "(").replace(", )", ")");
        let joined = joined.trim_end_matches('{').trim_end().to_owned();
        (start, joined)
    }
}

fn last_line(ty: &Type) -> usize {
    // The return type is one token tree at most a few lines long: its last identifier's line.
    struct Last(usize);
    impl<'ast> Visit<'ast> for Last {
        fn visit_ident(&mut self, ident: &'ast proc_macro2::Ident) {
            self.0 = self.0.max(ident.span().end().line);
        }
        fn visit_lifetime(&mut self, lifetime: &'ast syn::Lifetime) {
            self.0 = self.0.max(lifetime.apostrophe.end().line);
        }
    }
    let mut last = Last(0);
    last.visit_type(ty);
    last.0
}

/// Every `.rs` file under `dir`, in a stable order.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .map(|entry| entry.expect("a directory entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            files.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    files
}

fn sources() -> Vec<Source> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    rust_files(&root.join("src"))
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
            let file = syn::parse_file(&text)
                .unwrap_or_else(|e| panic!("parsing {}: {e}", path.display()));
            let path = path.strip_prefix(root).unwrap_or(&path).to_path_buf();
            Source { path, text, file }
        })
        .collect()
}

/// `BucketProps` for `Bucket<'a>`, `crate::s3::Bucket`, ...: the last segment's name.
fn type_name(ty: &Type) -> Option<String> {
    match ty {
        Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
        Type::Reference(r) => type_name(&r.elem),
        Type::Group(g) => type_name(&g.elem),
        Type::Paren(p) => type_name(&p.elem),
        _ => None,
    }
}

/// `WebAcl` -> `web_acl`, `ApplicationLoadBalancer` -> `application_load_balancer`.
fn snake_case(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if c.is_uppercase() {
            let after_lower =
                i > 0 && (chars[i - 1].is_lowercase() || chars[i - 1].is_ascii_digit());
            let acronym_end = i > 0
                && chars[i - 1].is_uppercase()
                && chars.get(i + 1).is_some_and(|n| n.is_lowercase());
            if after_lower || acronym_end {
                out.push('_');
            }
            out.extend(c.to_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// The construct a trait is the interface of: `IBucket` -> `Bucket`.
fn trait_subject(name: &str) -> &str {
    match name.strip_prefix('I') {
        Some(rest) if rest.starts_with(char::is_uppercase) => rest,
        _ => name,
    }
}

/// `scope: impl Construct<'a>`.
fn is_scope(arg: &FnArg) -> bool {
    let FnArg::Typed(arg) = arg else {
        return false;
    };
    let named_scope = matches!(&*arg.pat, Pat::Ident(p) if p.ident == "scope");
    let construct = matches!(&*arg.ty, Type::ImplTrait(t) if t.bounds.iter().any(|b| matches!(
        b,
        TypeParamBound::Trait(t) if t.path.segments.last().is_some_and(|s| s.ident == "Construct")
    )));
    named_scope && construct
}

/// `id: &str`.
fn is_id(arg: &FnArg) -> bool {
    let FnArg::Typed(arg) = arg else {
        return false;
    };
    let named_id = matches!(&*arg.pat, Pat::Ident(p) if p.ident == "id");
    let str_ref = matches!(
        &*arg.ty,
        Type::Reference(r) if r.mutability.is_none() && type_name(&r.elem).as_deref() == Some("str")
    );
    named_id && str_ref
}

/// The single generic argument of the last segment of `ty`'s path, if it has exactly one type.
fn only_type_argument(ty: &syn::Path) -> Option<&Type> {
    let PathArguments::AngleBracketed(args) = &ty.segments.last()?.arguments else {
        return None;
    };
    let mut types = args.args.iter().filter_map(|a| match a {
        GenericArgument::Type(t) => Some(t),
        _ => None,
    });
    let first = types.next()?;
    types.next().is_none().then_some(first)
}

/// `impl Into<Expr<String>>`.
fn is_expr_string(arg: &FnArg) -> bool {
    let FnArg::Typed(arg) = arg else {
        return false;
    };
    let Type::ImplTrait(t) = &*arg.ty else {
        return false;
    };
    t.bounds.iter().any(|b| {
        let TypeParamBound::Trait(into) = b else {
            return false;
        };
        into.path.segments.last().is_some_and(|s| s.ident == "Into")
            && only_type_argument(&into.path).is_some_and(|expr| {
                let Type::Path(expr) = expr else {
                    return false;
                };
                expr.path.segments.last().is_some_and(|s| s.ident == "Expr")
                    && only_type_argument(&expr.path)
                        .is_some_and(|s| type_name(s).as_deref() == Some("String"))
            })
    })
}

/// What is wrong with an import's signature, if anything.
fn import_problem(sig: &Signature) -> Option<String> {
    let args: Vec<&FnArg> = sig.inputs.iter().collect();
    if !args.first().is_some_and(|a| is_scope(a)) {
        return Some("the first argument must be `scope: impl Construct<'a>`".into());
    }
    if !args.get(1).is_some_and(|a| is_id(a)) {
        return Some("the second argument must be `id: &str`".into());
    }
    let attributes_struct = sig.ident == "from_attributes";
    match args.get(2) {
        None => return Some("the imported value must follow `id`".into()),
        Some(value) if !attributes_struct && !is_expr_string(value) => {
            return Some("the imported value must be `impl Into<Expr<String>>`".into());
        }
        Some(_) => {}
    }
    let returned = match &sig.output {
        ReturnType::Type(_, ty) => type_name(ty),
        ReturnType::Default => None,
    };
    if !returned
        .as_deref()
        .is_some_and(|t| t.starts_with("Imported"))
    {
        return Some("the returned type's name must start with `Imported`".into());
    }
    None
}

/// The accessors of a type or trait, with the names that would repeat the type's name.
fn forbidden_accessors(subjects: &BTreeSet<String>) -> BTreeSet<String> {
    subjects
        .iter()
        .flat_map(|subject| {
            ATTRIBUTES
                .iter()
                .map(move |a| format!("{}_{a}", snake_case(subject)))
        })
        .collect()
}

/// The traits of this crate, and which of them each type implements.
#[derive(Default)]
struct Traits {
    defined: BTreeSet<String>,
    implemented: Vec<(String, String)>,
}

/// The `Imported*` structs, and whether each holds a `node: Node<'a>`.
struct ImportedStructs<'s> {
    source: &'s Source,
    found: Vec<(String, bool, usize, PathBuf)>,
}

impl<'ast> Visit<'ast> for ImportedStructs<'_> {
    fn visit_item_struct(&mut self, item: &'ast syn::ItemStruct) {
        let name = item.ident.to_string();
        if name.starts_with("Imported") && matches!(item.vis, syn::Visibility::Public(_)) {
            let has_node = item.fields.iter().any(|f| {
                f.ident.as_ref().is_some_and(|i| i == "node")
                    && type_name(&f.ty).as_deref() == Some("Node")
            });
            let line = item.ident.span().start().line;
            self.found
                .push((name, has_node, line, self.source.path.clone()));
        }
        visit::visit_item_struct(self, item);
    }
}

impl<'ast> Visit<'ast> for Traits {
    fn visit_item_trait(&mut self, item: &'ast syn::ItemTrait) {
        self.defined.insert(item.ident.to_string());
        visit::visit_item_trait(self, item);
    }

    fn visit_item_impl(&mut self, item: &'ast syn::ItemImpl) {
        if let (Some((path, _)), Some(ty)) = (&item.trait_, type_name(&item.self_ty))
            && let Some(segment) = path.segments.last()
        {
            self.implemented.push((ty, segment.ident.to_string()));
        }
        visit::visit_item_impl(self, item);
    }
}

impl Traits {
    /// A construct handle type of this crate: it implements `Construct`.
    fn is_construct(&self, ty: &str) -> bool {
        self.implemented
            .iter()
            .any(|(t, tr)| t == ty && tr == "Construct")
    }

    /// A trait of this crate that handles implement (`IBucket`, `Grantable`, `IManagedPolicy`).
    fn is_handle_trait(&self, name: &str) -> bool {
        self.defined.contains(name)
            && self
                .implemented
                .iter()
                .any(|(t, tr)| tr == name && self.is_construct(t))
    }

    /// What accessors of `ty` must not be prefixed with: its own name (without `Imported`)
    /// and the subject of each trait of this crate it implements.
    fn subjects(&self, ty: &str) -> BTreeSet<String> {
        let mut subjects = BTreeSet::from([ty.to_owned()]);
        if let Some(bare) = ty.strip_prefix("Imported").filter(|b| !b.is_empty()) {
            subjects.insert(bare.to_owned());
        }
        for (implementor, tr) in &self.implemented {
            if implementor == ty && self.defined.contains(tr) {
                subjects.insert(trait_subject(tr).to_owned());
            }
        }
        subjects
    }
}

/// Walks one file, recording what breaks the rules.
struct Checker<'s> {
    source: &'s Source,
    traits: &'s Traits,
    offences: Vec<Offence>,
    allowed_used: BTreeSet<(&'static str, &'static str)>,
}

impl Checker<'_> {
    fn offend(&mut self, sig: &Signature, problem: String) {
        let (line, signature) = self.source.signature(sig);
        self.offences.push(Offence {
            file: self.source.path.clone(),
            line,
            signature,
            problem,
        });
    }

    fn check_accessor(&mut self, owner: &str, sig: &Signature, forbidden: &BTreeSet<String>) {
        let name = sig.ident.to_string();
        if forbidden.contains(&name) {
            let attribute = ATTRIBUTES
                .iter()
                .find(|a| name.ends_with(&format!("_{a}")))
                .copied()
                .unwrap_or("arn");
            self.offend(
                sig,
                format!("an accessor of {owner} is named `{attribute}()`, not `{name}()`"),
            );
        }
    }
}

impl Checker<'_> {
    /// Handles passed to a method or function are borrowed (`&Vpc<'a>`, `&impl IBucket<'a>`),
    /// never moved: one rule wherever a construct is an argument. Builders that consume
    /// `self` (`Target::with_role`) hold handles like props fields do, by value.
    fn check_handles(&mut self, sig: &Signature) {
        let builder = sig.inputs.first().is_some_and(
            |a| matches!(a, FnArg::Receiver(r) if matches!(r.kind, syn::ReceiverKind::Value)),
        );
        if builder {
            return;
        }
        for arg in &sig.inputs {
            let FnArg::Typed(typed) = arg else { continue };
            let moved = match &*typed.ty {
                Type::ImplTrait(bounds) => bounds.bounds.iter().find_map(|b| match b {
                    syn::TypeParamBound::Trait(t) => {
                        let name = t.path.segments.last()?.ident.to_string();
                        self.traits
                            .is_handle_trait(&name)
                            .then_some(format!("impl {name}"))
                    }
                    _ => None,
                }),
                Type::Path(path)
                    if path
                        .path
                        .segments
                        .first()
                        .is_some_and(|s| s.ident != "Self") =>
                {
                    let name = path.path.segments.last().map(|s| s.ident.to_string());
                    name.filter(|n| self.traits.is_construct(n))
                }
                _ => None,
            };
            if let Some(moved) = moved {
                self.offend(
                    sig,
                    format!("a handle argument is borrowed: `&{moved}`, not `{moved}`"),
                );
            }
        }
    }
}

impl<'ast> Visit<'ast> for Checker<'_> {
    fn visit_item_impl(&mut self, item: &'ast syn::ItemImpl) {
        let Some(ty) = type_name(&item.self_ty) else {
            return visit::visit_item_impl(self, item);
        };
        let forbidden = forbidden_accessors(&self.traits.subjects(&ty));
        let inherent = item.trait_.is_none();
        for impl_item in &item.items {
            let syn::ImplItem::Fn(f) = impl_item else {
                continue;
            };
            let public = matches!(f.vis, syn::Visibility::Public(_));
            if inherent && !public {
                continue;
            }
            let name = f.sig.ident.to_string();
            if inherent && name.starts_with("from_") {
                match NOT_IMPORTS.iter().find(|(t, n, _)| *t == ty && *n == name) {
                    Some((t, n, _)) => {
                        self.allowed_used.insert((t, n));
                    }
                    None => {
                        if let Some(problem) = import_problem(&f.sig) {
                            self.offend(&f.sig, problem);
                        }
                    }
                }
            }
            self.check_accessor(&ty, &f.sig, &forbidden);
            // Conversions (`From`) consume by design; the rule is for the crate's own API.
            let own_trait = item
                .trait_
                .as_ref()
                .and_then(|(path, _)| path.segments.last())
                .is_some_and(|t| self.traits.defined.contains(&t.ident.to_string()));
            if (inherent && public) || own_trait {
                self.check_handles(&f.sig);
            }
        }
        visit::visit_item_impl(self, item);
    }

    fn visit_item_trait(&mut self, item: &'ast syn::ItemTrait) {
        let name = item.ident.to_string();
        let subjects = BTreeSet::from([trait_subject(&name).to_owned()]);
        let forbidden = forbidden_accessors(&subjects);
        for trait_item in &item.items {
            if let syn::TraitItem::Fn(f) = trait_item {
                self.check_accessor(&name, &f.sig, &forbidden);
            }
        }
        visit::visit_item_trait(self, item);
    }
}

/// The offences of `sources`, and the allow-list entries that excused something.
fn check(sources: &[Source]) -> (Vec<Offence>, BTreeSet<(&'static str, &'static str)>) {
    let mut traits = Traits::default();
    for source in sources {
        traits.visit_file(&source.file);
    }
    let mut offences = Vec::new();
    let mut allowed_used = BTreeSet::new();
    for source in sources {
        let mut structs = ImportedStructs {
            source,
            found: Vec::new(),
        };
        structs.visit_file(&source.file);
        for (name, has_node, line, file) in structs.found {
            if let Some((n, _)) = NOT_CONSTRUCTS.iter().find(|(n, _)| *n == name) {
                allowed_used.insert((*n, ""));
                continue;
            }
            let construct = traits
                .implemented
                .iter()
                .any(|(ty, tr)| *ty == name && tr == "Construct");
            let problem = match (has_node, construct) {
                (true, true) => continue,
                (false, _) => "an imported type holds its import's node (`node: Node<'a>`)",
                (true, false) => "an imported type implements `Construct<'a>`",
            };
            offences.push(Offence {
                file,
                line,
                signature: format!("pub struct {name}"),
                problem: problem.to_owned(),
            });
        }
    }
    for source in sources {
        let mut checker = Checker {
            source,
            traits: &traits,
            offences: Vec::new(),
            allowed_used: BTreeSet::new(),
        };
        checker.visit_file(&source.file);
        offences.extend(checker.offences);
        allowed_used.extend(checker.allowed_used);
    }
    (offences, allowed_used)
}

#[test]
fn imports_and_accessors_keep_the_api_rules() {
    let sources = sources();
    let (offences, allowed_used) = check(&sources);
    let listed: Vec<String> = offences.iter().map(ToString::to_string).collect();
    assert!(
        listed.is_empty(),
        "{} signature(s) break the API rules of docs/ARCHITECTURE.md (\"Writing a construct\"):\n{}",
        listed.len(),
        listed.join("\n")
    );
    for (ty, name, reason) in NOT_IMPORTS {
        assert!(
            allowed_used.contains(&(*ty, *name)),
            "the allow-list names {ty}::{name} ({reason}), which no longer exists: remove it"
        );
    }
    for (ty, reason) in NOT_CONSTRUCTS {
        assert!(
            allowed_used.contains(&(*ty, "")),
            "the allow-list names {ty} ({reason}), which no longer exists: remove it"
        );
    }
}

/// The rules themselves, on sources written to break them: each offence is found, with its
/// file and line, and what keeps the rules is not reported.
#[test]
fn the_rules_find_what_breaks_them() {
    let text = r#"
pub trait IQueue<'a> {
    fn queue_arn(&self) -> Expr<String>;
    fn arn(&self) -> Expr<String>;
}

impl<'a> Queue<'a> {
    pub fn from_name(name: &str) -> ImportedQueue {
        body()
    }

    pub fn from_arn(
        scope: impl Construct<'a>,
        id: &str,
        arn: impl Into<Expr<String>>,
    ) -> QueueRef {
        body()
    }

    pub fn from_url(
        scope: impl Construct<'a>,
        id: &str,
        url: &str,
    ) -> ImportedQueue<'a> {
        body()
    }

    pub fn from_queue_name(
        scope: impl Construct<'a>,
        id: &str,
        name: impl Into<Expr<String>>,
    ) -> ImportedQueue<'a> {
        body()
    }

    pub fn queue_name(&self) -> Expr<String> {
        body()
    }

    pub fn dead_letter_queue_arn(&self) -> Expr<String> {
        body()
    }
}

impl<'a> IQueue<'a> for ImportedQueue<'a> {
    fn queue_arn(&self) -> Expr<String> {
        body()
    }
}

pub struct ImportedTopic {
    arn: Expr<String>,
}

pub struct ImportedQueue<'a> {
    node: Node<'a>,
}

impl<'a> Topic<'a> {
    pub fn queue_arn(&self) -> Expr<String> {
        body()
    }
}

impl<'a> Construct<'a> for Topic<'a> {}

impl<'a> Topic<'a> {
    pub fn forward_to(&self, other: Topic<'a>, copy: &Topic<'a>) {}

    pub fn with_topic(self, other: Topic<'a>) -> Self {
        body()
    }
}
"#;
    let source = Source {
        path: PathBuf::from("src/sqs/queue.rs"),
        text: text.to_owned(),
        file: syn::parse_file(text).expect("the sample parses"),
    };
    let (offences, _) = check(std::slice::from_ref(&source));
    let listed: Vec<String> = offences.iter().map(ToString::to_string).collect();
    assert_eq!(
        listed,
        [
            "src/sqs/queue.rs:51: `pub struct ImportedTopic`: an imported type holds its import's node (`node: Node<'a>`)",
            "src/sqs/queue.rs:55: `pub struct ImportedQueue`: an imported type implements `Construct<'a>`",
            "src/sqs/queue.rs:3: `fn queue_arn(&self) -> Expr<String>;`: an accessor of IQueue is named `arn()`, not `queue_arn()`",
            "src/sqs/queue.rs:8: `pub fn from_name(name: &str) -> ImportedQueue`: the first argument must be `scope: impl Construct<'a>`",
            "src/sqs/queue.rs:12: `pub fn from_arn(scope: impl Construct<'a>, id: &str, arn: impl Into<Expr<String>>) -> QueueRef`: the returned type's name must start with `Imported`",
            "src/sqs/queue.rs:20: `pub fn from_url(scope: impl Construct<'a>, id: &str, url: &str) -> ImportedQueue<'a>`: the imported value must be `impl Into<Expr<String>>`",
            "src/sqs/queue.rs:36: `pub fn queue_name(&self) -> Expr<String>`: an accessor of Queue is named `name()`, not `queue_name()`",
            "src/sqs/queue.rs:46: `fn queue_arn(&self) -> Expr<String>`: an accessor of ImportedQueue is named `arn()`, not `queue_arn()`",
            "src/sqs/queue.rs:68: `pub fn forward_to(&self, other: Topic<'a>, copy: &Topic<'a>) {}`: a handle argument is borrowed: `&Topic`, not `Topic`",
        ]
    );
}
