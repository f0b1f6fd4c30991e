using FluentValidation;

namespace FluentValidationApi;

public sealed class OrderRequestValidator : AbstractValidator<OrderRequest>
{
    public OrderRequestValidator(IValidator<Address> addressValidator)
    {
        RuleFor(o => o.CustomerName).NotEmpty().Length(2, 50);
        RuleFor(o => o.CustomerEmail).NotEmpty().EmailAddress();
        RuleFor(o => o.ShippingAddress).NotNull();
        RuleFor(o => o.ShippingAddress!).SetValidator(addressValidator).When(o => o.ShippingAddress is not null);
        RuleFor(o => o.Lines).NotEmpty().WithMessage("An order needs at least one line.")
            .Must(lines => lines.Select(l => l.Sku).Distinct(StringComparer.OrdinalIgnoreCase).Count() == lines.Count)
            .WithMessage("Each SKU may appear on one line only.");
        RuleForEach(o => o.Lines).SetValidator(new OrderLineValidator());
        RuleFor(o => o.CouponCode).Must(BeAKnownCoupon).When(o => o.CouponCode is not null).WithMessage("'{PropertyValue}' is not a coupon we know.");
    }

    private static bool BeAKnownCoupon(string? code) => code is "WELCOME10" or "SPRING";
}

public sealed class AddressValidator : AbstractValidator<Address>
{
    private static readonly string[] Countries = ["CH", "DE", "FR", "IT", "AT"];

    public AddressValidator()
    {
        RuleFor(a => a.Street).NotEmpty();
        RuleFor(a => a.City).NotEmpty().MaximumLength(60);
        RuleFor(a => a.PostalCode).NotEmpty().Matches("^[0-9]{4,5}$");
        RuleFor(a => a.Country).NotEmpty().Must(c => Countries.Contains(c)).WithMessage("We ship to CH, DE, FR, IT and AT only.");
    }
}

public sealed class OrderLineValidator : AbstractValidator<OrderLine>
{
    public OrderLineValidator()
    {
        RuleFor(l => l.Sku).NotEmpty().Matches("^[A-Z]{3}-[0-9]{3}$").WithMessage("A SKU looks like ABC-123.");
        RuleFor(l => l.Quantity).InclusiveBetween(1, 99);
    }
}
