/**
 * The ICP rubric of `knowledge_base/business_logic/icp_definition.md`, kept as data for the
 * offline Lead Analysis agent; a test checks every line against the rubric's tables.
 */

/** One line of the rubric: the fact as the knowledge base words it, and its points. */
export interface RubricLine {
  fact: string;
  points: number;
}

/** The ICP rubric's tables, worded as in `icp_definition.md`. */
export const ICP_RUBRIC = {
  firmographics: {
    cap: 30,
    employees: [
      { min: 5_000, line: { fact: 'Employees 5,000+ (Enterprise)', points: 12 } },
      { min: 1_000, line: { fact: 'Employees 1,000-4,999', points: 10 } },
      { min: 500, line: { fact: 'Employees 500-999', points: 8 } },
      { min: 200, line: { fact: 'Employees 200-499', points: 5 } },
      { min: 0, line: { fact: 'Employees under 200', points: 2 } },
    ],
    industryFit: {
      fact: 'Industry Software, Financial Services, E-commerce/Retail, Media, Telecommunications, Gaming, AdTech',
      points: 10,
    },
    industryPartial: { fact: 'Industry Healthcare, Manufacturing, Logistics, Energy', points: 6 },
    industryOther: { fact: 'Other industries', points: 2 },
    regionCore: { fact: 'Region North America or EMEA', points: 5 },
    regionOther: { fact: 'Region APAC or LATAM', points: 3 },
    revenue: { fact: 'Annual revenue $100M+', points: 3 },
  },
  technology: {
    cap: 25,
    competitor: {
      fact: 'Runs a cloud data warehouse or lakehouse we compete with or displace (Snowflake, Databricks, Google BigQuery, Amazon Redshift, ClickHouse)',
      points: 10,
    },
    legacy: {
      fact: 'Legacy on-premises warehouse (Teradata, Oracle Exadata, Netezza, Vertica)',
      points: 8,
    },
    cloud: { fact: 'On a major cloud (AWS, Google Cloud, Azure)', points: 5 },
    tooling: { fact: 'Modern data tooling (dbt, Airflow, Fivetran, Kafka, Spark)', points: 5 },
    useCase: {
      fact: 'Customer-facing analytics or real-time use case stated (embedded dashboards, streaming, sub-second SLAs)',
      points: 5,
    },
  },
  growth: {
    cap: 20,
    funding: { fact: 'Raised funding in the last 12 months', points: 6 },
    hiring: {
      fact: 'Hiring data engineers, analytics engineers or data platform roles now',
      points: 5,
    },
    leadership: {
      fact: 'New data leadership (CDO, VP Data, Head of Data Platform) in the last 12 months',
      points: 4,
    },
    initiative: {
      fact: 'Public migration, modernisation or cost-reduction initiative for data',
      points: 5,
    },
    expansion: {
      fact: 'Expansion: new markets, products, acquisitions in the last 12 months',
      points: 3,
    },
    negative: {
      fact: 'Negative signal: layoffs or hiring freeze in data/engineering in the last 6 months',
      points: -5,
    },
  },
  engagement: {
    cap: 25,
    visits: { fact: '`website_visits_30d` 10+', points: 6, mid: 4, low: 2 },
    downloads: { fact: '`content_downloads_30d` 2+', points: 5, low: 3 },
    opens: { fact: '`email_opens_30d` 5+', points: 3, low: 1 },
    source: {
      fact: '`lead_source` Webinar, Event or Website (inbound)',
      points: 4,
      partner: 3,
      content: 3,
      outbound: 1,
    },
    recency: { fact: '`last_activity_date` in the last 14 days', points: 3, month: 1 },
    seniority: {
      fact: 'Seniority: title VP, Head, Director, Chief (decision power)',
      points: 4,
      manager: 2,
      individual: 1,
    },
  },
} as const;
