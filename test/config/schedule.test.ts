import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseStackConfig } from "../../stacks/config/load";
import { hoursOffPerMonth, hoursOnPerWeek, uptimeSpec, WEEKDAYS, type Schedule } from "../../stacks/config/schedule";
import { configProblems, planThroughBin, stackConfig } from "../helpers/config";

const schedule = (v: unknown) => `tricloud:schedule=${JSON.stringify(v)}`;
const OK = { days: ["Mon", "Tue", "Wed", "Thu", "Fri"], start: "07:00", end: "19:00", timeZone: "America/New_York" };
/**
 * The downscaler's time-spec pattern (kube_downscaler/scaler.py TIME_SPEC_PATTERN in
 * github.com/caas-team/py-kube-downscaler, read 2026-11-30): every comma-separated part must match it.
 */
const DOWNSCALER_SPEC = /^([a-zA-Z]{3})-([a-zA-Z]{3}) (\d\d):(\d\d)-(\d\d):(\d\d) (?<tz>[a-zA-Z/_]+)$/;

describe("tricloud:schedule in the stack files", () => {
  it("dev has working hours; staging and prod run around the clock", () => {
    const t = (stack: string) => parseStackConfig(stackConfig(stack), stack).tricloud;
    expect(t("dev").schedule).toEqual(OK);
    expect(t("staging").schedule).toBeUndefined();
    expect(t("prod").schedule).toBeUndefined();
  });
});

describe("bad schedules give one named error each", () => {
  it.each([
    [{ ...OK, days: ["Mon", "Fri", "Mon"] }, "tricloud:schedule.days[2]: expected each day once, got Mon twice"],
    [
      { ...OK, days: ["Monday"] },
      "tricloud:schedule.days[0]: expected day names from Mon, Tue, Wed, Thu, Fri, Sat, Sun",
    ],
    [{ ...OK, days: [] }, "tricloud:schedule.days: expected at least one working day"],
    [{ ...OK, start: "7:00" }, 'tricloud:schedule.start: expected the start of the working hours as "HH:MM"'],
    [{ ...OK, end: "24:00" }, 'tricloud:schedule.end: expected the end of the working hours as "HH:MM"'],
    [{ ...OK, start: "19:00", end: "07:00" }, "tricloud:schedule.end: expected an end after the start on the same day"],
    [
      { ...OK, timeZone: "Mars/Olympus_Mons" },
      "tricloud:schedule.timeZone: expected an IANA time zone such as Europe/Berlin",
    ],
    // A real zone, but one the downscaler's pattern refuses ("+" and digits).
    [{ ...OK, timeZone: "Etc/GMT+1" }, "tricloud:schedule.timeZone: expected an IANA time zone"],
    [{ ...OK, weekends: true }, 'tricloud:schedule: unknown key "weekends"'],
    [8, "tricloud:schedule: expected { days, start, end, timeZone }"],
  ])("%j", (value, expected) => {
    const problems = configProblems(stackConfig("dev", schedule(value)), "dev");
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(expected);
  });

  it("prod refuses a schedule", () => {
    expect(configProblems(stackConfig("prod", schedule(OK)), "prod")).toEqual([
      "tricloud:schedule: expected no schedule in prod (prod serves around the clock; scale-to-zero is for dev and staging)",
    ]);
  });

  it("refuses a canaried service beside a schedule: the downscaler scales Deployments, not Rollouts", () => {
    const canary =
      'tricloud:services.auth-service.canary={"weightPercent":10,"maxErrorRatePercent":5,"intervalSeconds":60}';
    const problems = configProblems(stackConfig("dev", canary), "dev");
    expect(problems).toEqual([
      expect.stringMatching(
        /^tricloud:services\.auth-service\.canary: expected no canary while tricloud:schedule is set/,
      ),
    ]);
    // Without the schedule (staging), the same canary is fine.
    expect(configProblems(stackConfig("staging", canary), "staging")).toEqual([]);
  });

  it("staging may have one: all it then refuses is its canaried services (the downscaler does not scale Rollouts)", () => {
    const problems = configProblems(stackConfig("staging", schedule({ ...OK, timeZone: "Europe/Berlin" })), "staging");
    const canaried = Object.entries(parseStackConfig(stackConfig("staging"), "staging").tricloud.services)
      .filter(([, s]) => s.canary)
      .map(([name]) => name);
    expect(canaried.length).toBeGreaterThan(0);
    expect(problems).toEqual(
      canaried.map((name) =>
        expect.stringMatching(new RegExp(`^tricloud:services\\.${name}\\.canary: expected no canary`)),
      ),
    );
  });
});

describe("the downscaler's uptime and the hours off", () => {
  it("joins consecutive days into ranges and writes a lone day as a range of one", () => {
    expect(uptimeSpec(OK as Schedule)).toBe("Mon-Fri 07:00-19:00 America/New_York");
    expect(uptimeSpec({ ...OK, days: ["Sun", "Mon", "Wed", "Thu", "Sat"] } as Schedule)).toBe(
      "Mon-Mon 07:00-19:00 America/New_York,Wed-Thu 07:00-19:00 America/New_York,Sat-Sun 07:00-19:00 America/New_York",
    );
  });

  it("Mon-Fri 07:00-19:00: 60 h on of 168, so 108/168 of 730 h = 469.29 h off", () => {
    expect(hoursOnPerWeek(OK as Schedule)).toBe(60);
    expect(hoursOffPerMonth(OK as Schedule)).toBeCloseTo(469.2857, 4);
    // One day, 09:30-17:00: 7.5 h on, 160.5 off: 160.5/168 x 730 = 697.41
    expect(hoursOffPerMonth({ ...OK, days: ["Sat"], start: "09:30", end: "17:00" } as Schedule)).toBeCloseTo(697.41, 2);
  });

  const anySchedule = fc
    .record({
      days: fc.uniqueArray(fc.constantFrom(...WEEKDAYS), { minLength: 1, maxLength: 7 }),
      a: fc.integer({ min: 0, max: 23 * 60 + 59 }),
      b: fc.integer({ min: 0, max: 23 * 60 + 59 }),
      timeZone: fc.constantFrom("UTC", "Europe/Berlin", "America/Argentina/Buenos_Aires", "Asia/Kolkata"),
    })
    .filter((r) => r.a !== r.b)
    .map(({ days, a, b, timeZone }) => {
      const hhmm = (m: number) => `${String(Math.floor(m / 60)).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}`;
      return { days, start: hhmm(Math.min(a, b)), end: hhmm(Math.max(a, b)), timeZone };
    });

  it("every valid schedule parses, matches the downscaler's pattern, and its hours on and off fill the month", () => {
    fc.assert(
      fc.property(anySchedule, (s) => {
        const parsed = parseStackConfig(stackConfig("dev", schedule(s)), "dev").tricloud.schedule!;
        for (const part of uptimeSpec(parsed).split(",")) expect(part).toMatch(DOWNSCALER_SPEC);
        const on = hoursOnPerWeek(parsed);
        expect(on).toBeGreaterThan(0);
        expect(hoursOffPerMonth(parsed) + (on / 168) * 730).toBeCloseTo(730, 6);
      }),
      { numRuns: 60 },
    );
  });
});

describe("tricloud plan refuses a bad schedule with exit 2", () => {
  it("names the key and what was expected", () => {
    const r = planThroughBin("dev", schedule({ ...OK, end: "06:00" }));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      "tricloud:schedule.end: expected an end after the start on the same day (working hours cannot span midnight), got 07:00 to 06:00",
    );
  });
});
