/** The documented example questions the benchmarks answer, each with a short label. */
export const DOCUMENTED_QUESTIONS: [label: string, question: string][] = [
  ['IXIS deal status', "What's the status of the IXIS deal?"],
  ['John Smith lead assessment', 'Assess John Smith at DataCorp'],
  ['pipeline this quarter', "What's our pipeline this quarter?"],
  ['Acme Corp competitor mentions', 'Which competitors came up in our calls with Acme Corp?'],
  ['IXIS review and notification', 'Review the IXIS deal and notify Sarah Johnson'],
];
