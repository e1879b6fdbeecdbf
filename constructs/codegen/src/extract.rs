//! `extract`: reads `db.json.gz` of the npm package `@aws-cdk/aws-service-spec` and turns the
//! supported services into the committed spec data ([`Spec`]).
//!
//! The package is fetched with `npm pack` into `target/`, never committed. Only what the
//! generator uses is kept: types, required flags, replacement, tagging, attributes and the
//! first paragraph of each description.

use std::collections::BTreeMap;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value as Json;

use crate::docs::first_paragraph;
use crate::error::Error;
use crate::services::{SERVICES, Service};
use crate::spec::{
    AttributeSpec, PropertySpec, Replacement, ResourceSpec, ServiceSpec, Source, Spec, TagVariant,
    Tagging, TypeRef, TypeSpec,
};

/// The npm package the spec comes from.
pub const PACKAGE: &str = "@aws-cdk/aws-service-spec";

/// The file inside the package tarball.
const DB_PATH: &str = "package/db.json.gz";

/// Downloads `PACKAGE@version` with `npm pack` into `dest` and returns the tarball's path and
/// npm's integrity hash.
pub fn npm_pack(version: &str, dest: &Path) -> Result<(PathBuf, String), Error> {
    let spec = format!("{PACKAGE}@{version}");
    fs::create_dir_all(dest).map_err(|source| Error::Write {
        path: dest.to_owned(),
        source,
    })?;
    let output = Command::new("npm")
        .args(["pack", &spec, "--json", "--pack-destination"])
        .arg(dest)
        .output()
        .map_err(|e| Error::Npm {
            spec: spec.clone(),
            detail: format!("cannot run npm: {e}"),
        })?;
    if !output.status.success() {
        return Err(Error::Npm {
            spec,
            detail: String::from_utf8_lossy(&output.stderr).trim().to_owned(),
        });
    }
    let report: Json = serde_json::from_slice(&output.stdout).map_err(|e| Error::Npm {
        spec: spec.clone(),
        detail: format!("unexpected output: {e}"),
    })?;
    let entry = report.get(0).ok_or_else(|| Error::Npm {
        spec: spec.clone(),
        detail: "no package in the output".to_owned(),
    })?;
    let field = |name: &str| {
        entry
            .get(name)
            .and_then(Json::as_str)
            .map(str::to_owned)
            .ok_or_else(|| Error::Npm {
                spec: spec.clone(),
                detail: format!("no {name} in the output"),
            })
    };
    let filename = field("filename")?;
    let integrity = field("integrity")?;
    // npm reports `@scope/name` tarballs as `scope-name-version.tgz`.
    let path = dest.join(filename.trim_start_matches('@').replace('/', "-"));
    Ok((path, integrity))
}

/// Reads the spec database out of the package tarball.
pub fn read_db(tarball: &Path) -> Result<Json, Error> {
    let read_err = |source| Error::Read {
        path: tarball.to_owned(),
        source,
    };
    let file = fs::File::open(tarball).map_err(read_err)?;
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(file));
    for entry in archive.entries().map_err(read_err)? {
        let entry = entry.map_err(read_err)?;
        if entry.path().map_err(read_err)?.as_os_str() == DB_PATH {
            let mut text = String::new();
            flate2::read::GzDecoder::new(entry)
                .read_to_string(&mut text)
                .map_err(read_err)?;
            return serde_json::from_str(&text).map_err(|source| Error::Parse {
                path: tarball.join(DB_PATH),
                source,
            });
        }
    }
    Err(Error::Upstream(format!(
        "{} has no {DB_PATH}",
        tarball.display()
    )))
}

/// The supported services' data from the upstream database.
pub fn extract(db: &Json, source: Source) -> Result<Spec, Error> {
    extract_services(db, source, SERVICES)
}

/// The data of `services` from the upstream database.
pub fn extract_services(db: &Json, source: Source, services: &[Service]) -> Result<Spec, Error> {
    let db = Db::new(db)?;
    let list = services;
    let mut services = BTreeMap::new();
    for service in list {
        let namespace = service.namespace();
        let id = db.service_id(&namespace)?;
        let mut resources = BTreeMap::new();
        for resource_id in db.forward("hasResource", &id)? {
            let resource = db.entity("resource", &resource_id)?;
            let spec = db.resource(resource)?;
            let cfn_type = str_field(resource, "cloudFormationType")?;
            resources.insert(cfn_type, spec);
        }
        services.insert(
            service.module(),
            ServiceSpec {
                namespace,
                resources,
            },
        );
    }
    Ok(Spec { source, services })
}

/// The upstream database, indexed.
struct Db<'a> {
    schema: &'a Json,
    entities: BTreeMap<(&'static str, String), &'a Json>,
}

impl<'a> Db<'a> {
    fn new(db: &'a Json) -> Result<Db<'a>, Error> {
        let schema = db
            .get("schema")
            .ok_or_else(|| Error::Upstream("no schema".to_owned()))?;
        let mut entities = BTreeMap::new();
        for table in ["service", "resource", "typeDefinition"] {
            let list = schema
                .get(table)
                .and_then(|t| t.get("entities"))
                .and_then(Json::as_array)
                .ok_or_else(|| Error::Upstream(format!("no {table} entities")))?;
            for entity in list {
                entities.insert((table, str_field(entity, "$id")?), entity);
            }
        }
        Ok(Db { schema, entities })
    }

    fn entity(&self, table: &'static str, id: &str) -> Result<&'a Json, Error> {
        self.entities
            .get(&(table, id.to_owned()))
            .copied()
            .ok_or_else(|| Error::Upstream(format!("no {table} with $id {id}")))
    }

    fn service_id(&self, namespace: &str) -> Result<String, Error> {
        let matches: Vec<&Json> = self
            .entities
            .iter()
            .filter(|((table, _), e)| {
                *table == "service"
                    && e.get("cloudFormationNamespace").and_then(Json::as_str) == Some(namespace)
            })
            .map(|(_, e)| *e)
            .collect();
        match matches.as_slice() {
            [one] => str_field(one, "$id"),
            _ => Err(Error::Upstream(format!(
                "{} services with namespace {namespace}",
                matches.len()
            ))),
        }
    }

    fn forward(&self, relation: &str, id: &str) -> Result<Vec<String>, Error> {
        let list = self
            .schema
            .get(relation)
            .and_then(|r| r.get("forward"))
            .ok_or_else(|| Error::Upstream(format!("no relation {relation}")))?
            .get(id)
            .and_then(Json::as_array)
            .map(Vec::as_slice)
            .unwrap_or_default();
        list.iter().map(|e| str_field(e, "$id")).collect()
    }

    fn resource(&self, resource: &Json) -> Result<ResourceSpec, Error> {
        let cfn_type = str_field(resource, "cloudFormationType")?;
        let ctx = |what: &str| format!("{cfn_type} {what}");
        let mut type_ids = BTreeMap::new();
        let properties = self.properties(resource.get("properties"), &mut type_ids, &ctx)?;
        let mut attributes = BTreeMap::new();
        for (name, attr) in object(resource.get("attributes")) {
            attributes.insert(
                name.clone(),
                AttributeSpec {
                    ty: self.type_ref(field(attr, "type")?, &mut type_ids, &ctx(name))?,
                    documentation: doc(attr),
                },
            );
        }
        // The property types reachable from the properties and attributes, by name.
        let mut types = BTreeMap::new();
        let mut done: BTreeMap<String, String> = BTreeMap::new();
        while let Some((id, name)) = type_ids
            .iter()
            .find(|(id, _)| !done.contains_key(*id))
            .map(|(i, n)| (i.clone(), n.clone()))
        {
            done.insert(id.clone(), name.clone());
            let def = self.entity("typeDefinition", &id)?;
            let props = self.properties(def.get("properties"), &mut type_ids, &|what| {
                format!("{cfn_type} {name} {what}")
            })?;
            let spec = TypeSpec {
                documentation: doc(def),
                properties: props,
            };
            if types.insert(name.clone(), spec).is_some() {
                return Err(Error::Upstream(format!(
                    "{cfn_type} uses two property types named {name}"
                )));
            }
        }
        let tagging = match resource.get("tagInformation") {
            None | Some(Json::Null) => None,
            Some(info) => Some(Tagging {
                property: str_field(info, "tagPropertyName")?,
                variant: match str_field(info, "variant")?.as_str() {
                    "standard" => TagVariant::Standard,
                    "map" => TagVariant::Map,
                    "asg" => TagVariant::Asg,
                    other => {
                        return Err(Error::Upstream(format!(
                            "{cfn_type}: unknown tag variant {other}"
                        )));
                    }
                },
            }),
        };
        Ok(ResourceSpec {
            name: str_field(resource, "name")?,
            documentation: doc(resource),
            properties,
            attributes,
            tagging,
            types,
        })
    }

    fn properties(
        &self,
        props: Option<&Json>,
        type_ids: &mut BTreeMap<String, String>,
        ctx: &dyn Fn(&str) -> String,
    ) -> Result<BTreeMap<String, PropertySpec>, Error> {
        let mut out = BTreeMap::new();
        for (name, prop) in object(props) {
            let causes_replacement = match prop.get("causesReplacement").and_then(Json::as_str) {
                None | Some("no") => None,
                Some("yes") => Some(Replacement::Yes),
                Some("maybe") => Some(Replacement::Maybe),
                Some(other) => {
                    return Err(Error::Upstream(format!(
                        "{}: unknown causesReplacement {other}",
                        ctx(name)
                    )));
                }
            };
            out.insert(
                name.clone(),
                PropertySpec {
                    ty: self.type_ref(field(prop, "type")?, type_ids, &ctx(name))?,
                    required: prop.get("required").and_then(Json::as_bool) == Some(true),
                    causes_replacement,
                    deprecated: prop.get("deprecated").is_some_and(|d| !d.is_null()),
                    documentation: doc(prop),
                },
            );
        }
        Ok(out)
    }

    fn type_ref(
        &self,
        ty: &Json,
        type_ids: &mut BTreeMap<String, String>,
        ctx: &str,
    ) -> Result<TypeRef, Error> {
        let kind = str_field(ty, "type")?;
        let known: &[&str] = match kind.as_str() {
            "string" | "integer" => &["type", "allowedValues"],
            "array" | "map" => &["type", "element"],
            "ref" => &["type", "reference"],
            "union" => &["type", "types"],
            _ => &["type"],
        };
        if let Some(unknown) = ty
            .as_object()
            .and_then(|o| o.keys().find(|k| !known.contains(&k.as_str())))
        {
            return Err(Error::Upstream(format!(
                "{ctx}: {kind} type has an unknown field {unknown}"
            )));
        }
        Ok(match kind.as_str() {
            "string" => TypeRef::String {
                allowed_values: match ty.get("allowedValues") {
                    None => Vec::new(),
                    Some(values) => serde_json::from_value(values.clone())
                        .map_err(|e| Error::Upstream(format!("{ctx}: allowed values: {e}")))?,
                },
            },
            "integer" => TypeRef::Integer {
                allowed_values: match ty.get("allowedValues") {
                    None => Vec::new(),
                    Some(values) => serde_json::from_value(values.clone())
                        .map_err(|e| Error::Upstream(format!("{ctx}: allowed values: {e}")))?,
                },
            },
            "number" => TypeRef::Number,
            "boolean" => TypeRef::Boolean,
            "date-time" => TypeRef::DateTime,
            "json" => TypeRef::Json,
            "tag" => TypeRef::Tag,
            "array" => TypeRef::Array {
                element: Box::new(self.type_ref(field(ty, "element")?, type_ids, ctx)?),
            },
            "map" => TypeRef::Map {
                element: Box::new(self.type_ref(field(ty, "element")?, type_ids, ctx)?),
            },
            "ref" => {
                let id = str_field(field(ty, "reference")?, "$ref")?;
                let name = str_field(self.entity("typeDefinition", &id)?, "name")?;
                type_ids.insert(id, name.clone());
                TypeRef::Ref { name }
            }
            "union" => TypeRef::Union {
                types: field(ty, "types")?
                    .as_array()
                    .ok_or_else(|| Error::Upstream(format!("{ctx}: union types not a list")))?
                    .iter()
                    .map(|t| self.type_ref(t, type_ids, ctx))
                    .collect::<Result<_, _>>()?,
            },
            other => {
                return Err(Error::Upstream(format!("{ctx}: unknown type {other}")));
            }
        })
    }
}

fn object(value: Option<&Json>) -> impl Iterator<Item = (&String, &Json)> {
    value.and_then(Json::as_object).into_iter().flatten()
}

fn field<'a>(value: &'a Json, name: &str) -> Result<&'a Json, Error> {
    value
        .get(name)
        .ok_or_else(|| Error::Upstream(format!("missing field {name} in {}", short(value))))
}

fn str_field(value: &Json, name: &str) -> Result<String, Error> {
    field(value, name)?
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| Error::Upstream(format!("field {name} is not a string in {}", short(value))))
}

fn doc(value: &Json) -> String {
    value
        .get("documentation")
        .and_then(Json::as_str)
        .map(first_paragraph)
        .unwrap_or_default()
}

fn short(value: &Json) -> String {
    let text = value.to_string();
    match text.char_indices().nth(120) {
        Some((i, _)) => format!("{}...", &text[..i]),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn source() -> Source {
        Source {
            package: PACKAGE.to_owned(),
            version: "0.0.0".to_owned(),
            integrity: "sha512-test".to_owned(),
        }
    }

    /// A database in the upstream shape: one service, one resource, two property types (one
    /// used only by an earlier version of the resource), numeric ids.
    fn db(extra_type_field: Option<(&str, Json)>) -> Json {
        let mut string_type = json!({"type": "string", "allowedValues": ["aws:kms", "AES256"]});
        if let Some((k, v)) = extra_type_field {
            string_type[k] = v;
        }
        json!({"schema": {
            "service": {"entities": [
                {"$id": "1", "name": "aws-thing", "cloudFormationNamespace": "AWS::Thing"},
                {"$id": "2", "name": "aws-other", "cloudFormationNamespace": "AWS::Other"}
            ]},
            "resource": {"entities": [{
                "$id": "10",
                "cloudFormationType": "AWS::Thing::Box",
                "name": "Box",
                "documentation": "Creates a box.\nIn one line.\n\nMore details.",
                "properties": {
                    "Name": {"type": {"type": "string"}, "required": true,
                             "causesReplacement": "yes", "documentation": "The name."},
                    "Lid": {"type": {"type": "ref", "reference": {"$ref": "20"}},
                            "causesReplacement": "maybe"},
                    "Tags": {"type": {"type": "array", "element": {"type": "tag"}},
                             "relationshipRefs": [], "defaultValue": "x"},
                    "Policy": {"type": {"type": "union", "types": [{"type": "json"}, {"type": "string"}]},
                               "deprecated": "WARN"}
                },
                "attributes": {"Arn": {"type": {"type": "string"}, "documentation": "The ARN."}},
                "tagInformation": {"tagPropertyName": "Tags", "variant": "standard"}
            }]},
            "typeDefinition": {"entities": [
                {"$id": "20", "name": "Lid", "documentation": "A lid.",
                 "properties": {"Algorithm": {"type": string_type}}},
                {"$id": "21", "name": "OldLid", "properties": {}}
            ]},
            "hasResource": {"forward": {"1": [{"$id": "10"}]}},
            "usesType": {"forward": {"10": [{"$id": "20"}, {"$id": "21"}]}}
        }})
    }

    const THING: &[Service] = &[Service {
        name: "Thing",
        title: "Thing",
    }];

    #[test]
    fn extracts_the_subset_with_types_by_name() {
        let spec = extract_services(&db(None), source(), THING).unwrap();
        let service = &spec.services["thing"];
        assert_eq!(service.namespace, "AWS::Thing");
        let r = &service.resources["AWS::Thing::Box"];
        assert_eq!(r.documentation, "Creates a box. In one line.");
        assert_eq!(
            r.properties["Lid"].ty,
            TypeRef::Ref {
                name: "Lid".to_owned()
            }
        );
        assert_eq!(
            r.properties["Lid"].causes_replacement,
            Some(Replacement::Maybe)
        );
        assert!(r.properties["Name"].required);
        assert_eq!(
            r.properties["Name"].causes_replacement,
            Some(Replacement::Yes)
        );
        assert!(r.properties["Policy"].deprecated);
        assert_eq!(
            r.types.keys().collect::<Vec<_>>(),
            ["Lid"],
            "types no property reaches stay out"
        );
        assert_eq!(
            r.types["Lid"].properties["Algorithm"].ty,
            TypeRef::String {
                allowed_values: vec!["aws:kms".to_owned(), "AES256".to_owned()]
            }
        );
        assert_eq!(
            r.tagging,
            Some(Tagging {
                property: "Tags".to_owned(),
                variant: TagVariant::Standard
            })
        );
        assert_eq!(r.attributes["Arn"].documentation, "The ARN.");
    }

    #[test]
    fn extraction_is_stable_text() {
        let a = extract_services(&db(None), source(), THING).unwrap();
        let b = extract_services(&db(None), source(), THING).unwrap();
        assert_eq!(a.files().unwrap(), b.files().unwrap());
        let text = &a.files().unwrap()["thing.json"];
        // Keys sorted: Lid before Name before Policy before Tags.
        let order: Vec<usize> = ["\"Lid\"", "\"Name\"", "\"Policy\"", "\"Tags\""]
            .iter()
            .map(|k| text.find(k).unwrap())
            .collect();
        assert!(order.windows(2).all(|w| w[0] < w[1]), "{text}");
    }

    #[test]
    fn unknown_upstream_fields_fail_loudly() {
        let err =
            extract_services(&db(Some(("pattern", json!("^a$")))), source(), THING).unwrap_err();
        assert!(err.to_string().contains("unknown field pattern"), "{err}");
        let missing = [Service {
            name: "Nope",
            title: "Nope",
        }];
        assert!(extract_services(&db(None), source(), &missing).is_err());
    }
}
