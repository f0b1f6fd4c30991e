namespace ReportingApi; public static class Placeholder { }
