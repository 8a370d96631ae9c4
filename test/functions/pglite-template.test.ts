import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { afterAll, describe, expect, it } from "vitest";
import { pgliteSql } from "../../functions/store/pglite";
import { PGLITE_TEMPLATE_DIR } from "../helpers/store";

const dir = mkdtempSync(join(tmpdir(), "tricloud-pglite-template-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("PGlite: new clusters start from a saved empty cluster", () => {
  it("keeps the template by PGlite's version, starts a new data directory from it, and opens an existing one as it is", async () => {
    // A new cluster with a template folder: the template is there afterwards (saved by this one, or by the first
    // engine of the run; the suite's engines share the folder, so initdb runs once).
    const first = await pgliteSql(undefined, { templateDir: PGLITE_TEMPLATE_DIR });
    expect(await first.query<{ n: number }>("SELECT 1 AS n")).toEqual([{ n: 1 }]);
    await first.close();
    const [name, ...others] = readdirSync(PGLITE_TEMPLATE_DIR).filter((f) => f.endsWith(".tar"));
    expect(others).toEqual([]);
    expect(name).toMatch(/^pglite-\d+\.\d+\.\d+-empty\.tar$/);

    // A template with a marker table, to see that a new data directory is loaded from it (not initdb'd).
    const marked = await PGlite.create("memory://", {
      loadDataDir: new Blob([readFileSync(join(PGLITE_TEMPLATE_DIR, name!))]),
    });
    await marked.exec("CREATE TABLE from_template (v int)");
    const tar = Buffer.from(await (await marked.dumpDataDir("none")).arrayBuffer());
    await marked.close();
    const templates = join(dir, "templates");
    mkdirSync(templates);
    writeFileSync(join(templates, name!), tar);

    const data = join(dir, "data");
    const fresh = await pgliteSql(data, { templateDir: templates });
    expect(await fresh.query("SELECT count(*)::int AS n FROM from_template")).toEqual([{ n: 0 }]);
    await fresh.exec("CREATE TABLE kept (v text); INSERT INTO kept VALUES ('still here')");
    await fresh.close();
    expect(existsSync(join(data, "PG_VERSION"))).toBe(true);

    // Reopened: the directory's own cluster (loading a tarball over an existing one would fail).
    const reopened = await pgliteSql(data, { templateDir: templates });
    expect(await reopened.query("SELECT v FROM kept")).toEqual([{ v: "still here" }]);
    await reopened.close();
  });
});
