import { z } from "zod";

/**
 * `tricloud:schedule`: the working hours outside which an environment's services are scaled to zero (and the
 * clusters' autoscalers then drain the user pools). Absent means always on. The in-cluster downscaler
 * (components/workloads/downscaler.ts) reads the same hours as its `--default-uptime`.
 */

export const WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"] as const;
export type Weekday = (typeof WEEKDAYS)[number];

const HOURS_PER_WEEK = 7 * 24;
const TIME_RE = /^([01]\d|2[0-3]):([0-5]\d)$/;
/**
 * The downscaler's time-spec pattern accepts only letters, "/" and "_" in a zone name
 * (kube_downscaler/scaler.py TIME_SPEC_PATTERN, github.com/caas-team/py-kube-downscaler, read 2026-11-30), so zones
 * such as Etc/GMT+1 or America/Port-au-Prince are refused here rather than by the pod at run time.
 */
const ZONE_RE = /^[A-Za-z_]+(\/[A-Za-z_]+)*$/;

/** Whether the runtime's IANA database knows the zone (Intl throws a RangeError for an unknown one). */
function knownTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const minutesOf = (hhmm: string) => {
  const m = TIME_RE.exec(hhmm)!;
  return Number(m[1]) * 60 + Number(m[2]);
};

const time = (what: string) =>
  z.string({ error: `expected the ${what} as "HH:MM" (24-hour clock), e.g. "08:00"` }).regex(TIME_RE, {
    error: `expected the ${what} as "HH:MM" (24-hour clock, 00:00 to 23:59), e.g. "08:00"`,
  });

export const schedule = z
  .strictObject(
    {
      /** Working days; every other day is off all day. */
      days: z
        .array(z.enum(WEEKDAYS, { error: `expected day names from ${WEEKDAYS.join(", ")}` }), {
          error: `expected a list of working days such as [Mon, Tue, Wed, Thu, Fri]`,
        })
        .min(1, { error: "expected at least one working day (an environment off all week has no use for a schedule)" }),
      /** Start and end of the working hours on each working day, local time in `timeZone`. */
      start: time("start of the working hours"),
      end: time("end of the working hours"),
      /** An IANA time zone such as Europe/Berlin; daylight saving time follows it. */
      timeZone: z
        .string({ error: "expected an IANA time zone such as Europe/Berlin or America/New_York" })
        .refine((zone) => ZONE_RE.test(zone) && knownTimeZone(zone), {
          error: (issue) =>
            `expected an IANA time zone such as Europe/Berlin or America/New_York (letters, "/" and "_" only), got "${String(issue.input)}"`,
        }),
    },
    {
      error:
        'expected { days, start, end, timeZone }, e.g. { days: [Mon, Tue, Wed, Thu, Fri], start: "08:00", end: "20:00", timeZone: Europe/Berlin }',
    },
  )
  .superRefine((s, ctx) => {
    const seen = new Set<string>();
    for (const [i, d] of s.days.entries()) {
      if (seen.has(d))
        ctx.addIssue({ code: "custom", path: ["days", i], message: `expected each day once, got ${d} twice` });
      seen.add(d);
    }
    if (TIME_RE.test(s.start) && TIME_RE.test(s.end) && minutesOf(s.end) <= minutesOf(s.start)) {
      ctx.addIssue({
        code: "custom",
        path: ["end"],
        message: `expected an end after the start on the same day (working hours cannot span midnight), got ${s.start} to ${s.end}`,
      });
    }
  });

export type Schedule = z.output<typeof schedule>;

/** Hours on per week: working days x the working hours of each. */
export function hoursOnPerWeek(s: Schedule): number {
  return (new Set(s.days).size * (minutesOf(s.end) - minutesOf(s.start))) / 60;
}

/**
 * Hours off in a month of `hoursPerMonth` hours (the cost model's 730): the off share of a week times the month.
 * Daylight saving shifts the hours but not their number, except on the two changeover nights a year, left out.
 */
export function hoursOffPerMonth(s: Schedule, hoursPerMonth = 730): number {
  return ((HOURS_PER_WEEK - hoursOnPerWeek(s)) / HOURS_PER_WEEK) * hoursPerMonth;
}

/**
 * The schedule in the downscaler's `--default-uptime` form: consecutive working days as one range ("Mon-Fri"), a
 * lone day as a range of one ("Sat-Sat"), comma-separated, each with the hours and the zone:
 * "Mon-Fri 08:00-20:00 Europe/Berlin". The pattern takes a day range only, never a single day.
 */
export function uptimeSpec(s: Schedule): string {
  const idx = [...new Set(s.days)].map((d) => WEEKDAYS.indexOf(d)).sort((a, b) => a - b);
  const runs: [number, number][] = [];
  for (const i of idx) {
    const last = runs[runs.length - 1];
    if (last && last[1] === i - 1) last[1] = i;
    else runs.push([i, i]);
  }
  return runs.map(([a, b]) => `${WEEKDAYS[a]}-${WEEKDAYS[b]} ${s.start}-${s.end} ${s.timeZone}`).join(",");
}
