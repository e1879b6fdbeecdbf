//! Every app reads back from its cloud assembly as it was synthesized: the deploy runner
//! deploys what `Synthesized::from_files` reads from `synth-out/`, so for these apps (large
//! templates, cross-stack and cross-region references, several waves) nothing may be lost or
//! reordered between the runner and the deploy runner.

use std::collections::BTreeMap;

use cirrus_core::{Synthesized, TemplateFormat};

#[test]
fn every_app_reads_back_from_its_assembly() {
    for def in apps::APPS {
        let written = def.build().synth().expect("the app synthesizes");
        let files: BTreeMap<String, Vec<u8>> = written
            .files(TemplateFormat::Json)
            .expect("the files render")
            .into_iter()
            .collect();
        let read = Synthesized::from_files(def.name, &files)
            .unwrap_or_else(|e| panic!("{}: {e}", def.name));
        assert_eq!(read.app, written.app);
        assert_eq!(read.stacks, written.stacks, "{}", def.name);
        assert_eq!(read.waves, written.waves, "{}", def.name);
        assert_eq!(read.tree(), written.tree(), "{}", def.name);
        assert!(
            read.stacks.iter().map(|s| s.template_size).sum::<usize>() > 0,
            "{}",
            def.name
        );
    }
}
