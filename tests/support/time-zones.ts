// Time zones for tests that must mean the same at whatever hour the suite runs (quiet hours).

/** The fixed-offset zone whose wall clock reads `localHour`:xx now (Etc/GMT+N is UTC−N). */
export function zoneAt(localHour: number): { zone: string; offsetHours: number } {
  let offset = (localHour - new Date().getUTCHours() + 48) % 24;
  if (offset > 14) offset -= 24;
  return {
    zone: offset === 0 ? 'Etc/GMT' : `Etc/GMT${offset > 0 ? '-' : '+'}${Math.abs(offset)}`,
    offsetHours: offset,
  };
}

/** The next 08:00 on the wall clock of a zone at `offsetHours` where it is night (before 08:00). */
export function nextEight(offsetHours: number): string {
  const local = new Date(Date.now() + offsetHours * 3600_000);
  local.setUTCHours(8, 0, 0, 0);
  return new Date(local.getTime() - offsetHours * 3600_000).toISOString();
}
