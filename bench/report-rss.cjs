// Preloaded by the benchmarks (`node -r`): writes this process's peak RSS (KiB) to $TRICLOUD_RSS_FILE at exit.
"use strict";
const fs = require("node:fs");
process.on("exit", () => {
  if (process.env.TRICLOUD_RSS_FILE)
    fs.writeFileSync(process.env.TRICLOUD_RSS_FILE, String(process.resourceUsage().maxRSS));
});
