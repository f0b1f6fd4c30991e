namespace ReportingApi.Aggregation; public static class Placeholder { }
