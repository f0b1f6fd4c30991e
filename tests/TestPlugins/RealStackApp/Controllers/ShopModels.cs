using System.ComponentModel.DataAnnotations;

namespace RealStackApp.Controllers;

public sealed class NewProduct
{
    [Required]
    [StringLength(100, MinimumLength = 2)]
    public string? Name { get; set; }

    [Range(typeof(decimal), "0.01", "100000")]
    public decimal Price { get; set; }

    [Range(0, 10000)]
    public int Stock { get; set; }
}

public sealed class NewReview
{
    [Range(1, 5)]
    public int Stars { get; set; }

    [Required]
    [StringLength(500)]
    public string? Text { get; set; }
}

public sealed class ReviewDto
{
    public int Id { get; set; }
    public int Stars { get; set; }
    public string Text { get; set; } = "";
}

public sealed class ProductDto
{
    public int Id { get; set; }
    public string Name { get; set; } = "";
    public decimal Price { get; set; }
    public string Currency { get; set; } = "";
    public int Stock { get; set; }
    public double? AverageStars { get; set; }
    public IReadOnlyList<ReviewDto> Reviews { get; set; } = [];
    public long Generation { get; set; }
}
