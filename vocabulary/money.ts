// How every layer writes an amount of money: US dollars, two decimals, thousands separated ("$1,958.31").
const USD = new Intl.NumberFormat("en-US", {
  style: "currency",
  currency: "USD",
  minimumFractionDigits: 2,
  maximumFractionDigits: 2,
});

/** "$1,958.31" (negative amounts as "-$12.00"). */
export function formatUsd(amount: number): string {
  return USD.format(amount);
}

/** A change in money, always signed: "+$1,200.00", "-$12.50", "+$0.00". */
export function formatUsdChange(amount: number): string {
  return `${amount < 0 ? "-" : "+"}${USD.format(Math.abs(amount))}`;
}
