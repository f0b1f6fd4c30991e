using System.Net;

namespace PluginHost.IntegrationTests.RealApps.Scenarios;

/// <summary>FluentValidation: rules on members, on a nested object and on each item of a collection; 400 or 201.</summary>
public sealed class FluentValidationApiScenario : RealAppScenario
{
    public override string Project => "FluentValidationApi";

    public override string Mount => "/orders-api";

    protected override async Task ExercisePathsAsync(AppClient app, PathChecks paths)
    {
        long id = 0;
        await paths.RunAsync("POST /orders valid (201)", async () =>
        {
            var order = await app.PostJsonAsync("/orders", new
            {
                customerName = "Grace Hopper",
                customerEmail = "grace@example.org",
                couponCode = "SPRING",
                shippingAddress = new { street = "Bahnhofstrasse 1", city = "Zürich", postalCode = "8001", country = "CH" },
                lines = new[] { new { sku = "ABC-123", quantity = 2 }, new { sku = "XYZ-999", quantity = 1 } },
            }, HttpStatusCode.Created);
            id = order.Number("id");
            Assert.Equal(3, order.Number("items"));
        });

        await paths.RunAsync("GET /orders/{id}", async () => Assert.Equal("Grace Hopper", (await app.GetJsonAsync($"/orders/{id}")).Text("customerName")));

        await paths.RunAsync("POST /orders breaking every rule (400 validation problem)", async () =>
        {
            var problem = await app.PostJsonAsync("/orders", new
            {
                customerName = "G",
                customerEmail = "not-an-address",
                couponCode = "FREE",
                shippingAddress = new { street = "", city = "Zürich", postalCode = "80", country = "US" },
                lines = new[] { new { sku = "bad", quantity = 0 }, new { sku = "bad", quantity = 1 } },
            }, HttpStatusCode.BadRequest);
            JsonAssert.HasErrorsFor(problem, "CustomerName", "CustomerEmail", "CouponCode", "ShippingAddress.Street", "ShippingAddress.PostalCode",
                "ShippingAddress.Country", "Lines", "Lines[0].Sku", "Lines[0].Quantity", "Lines[1].Sku");
        });

        await paths.RunAsync("POST /orders without address and lines (400)", async () =>
            JsonAssert.HasErrorsFor(await app.PostJsonAsync("/orders", new { customerName = "Ada", customerEmail = "ada@example.org" }, HttpStatusCode.BadRequest),
                "ShippingAddress", "Lines"));

        await paths.RunAsync("GET /orders/{unknown} (404)", () => app.GetJsonAsync("/orders/987654", HttpStatusCode.NotFound));
    }
}
