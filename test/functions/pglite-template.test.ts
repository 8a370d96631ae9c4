import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { pgliteSql } from "../../functions/store/pglite";

const dir = mkdtempSync(join(tmpdir(), "tricloud-pglite-template-"));
const templates = join(dir, "templates");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("PGlite: new clusters start from a saved empty cluster", () => {
  it("saves the template on the first new cluster, starts the next from it, and opens an existing directory as it is", async () => {
    // First new cluster: initdb runs, and the empty cluster is saved (named by PGlite's version).
    const first = await pgliteSql(undefined, { templateDir: templates });
    expect(await first.query<{ n: number }>("SELECT 1 AS n")).toEqual([{ n: 1 }]);
    await first.close();
    const saved = readdirSync(templates);
    expect(saved).toHaveLength(1);
    expect(saved[0]).toMatch(/^pglite-\d+\.\d+\.\d+-empty\.tar$/);

    // A new data directory starts from it: a working cluster, nothing of the first one's state.
    const data = join(dir, "data");
    const fromTemplate = await pgliteSql(data, { templateDir: templates });
    expect(await fromTemplate.query("SELECT relname FROM pg_class WHERE relname = 'kept'")).toEqual([]);
    await fromTemplate.exec("CREATE TABLE kept (v text); INSERT INTO kept VALUES ('still here')");
    await fromTemplate.close();
    expect(existsSync(join(data, "PG_VERSION"))).toBe(true);

    // Reopened: the directory's own cluster, not the template (loading a tarball over it would fail).
    const reopened = await pgliteSql(data, { templateDir: templates });
    expect(await reopened.query("SELECT v FROM kept")).toEqual([{ v: "still here" }]);
    await reopened.close();
  });
});
