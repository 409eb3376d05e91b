// The figures a template may place (`figure: tier-chart`); drawn by src/figures from the bid.

export const FIGURE_IDS = ['tier-chart', 'escalation-flow', 'org-chart', 'training-gantt'] as const;
export type FigureId = (typeof FIGURE_IDS)[number];
