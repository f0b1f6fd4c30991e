namespace WebApp; public static class Placeholder { }
