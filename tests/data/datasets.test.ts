import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { breastCancer, diabetes, digits, iris, readCsv } from "../../src/data/index.js";

const file = (name: string) => {
  const b = readFileSync(new URL(`../../data/${name}`, import.meta.url));
  return (name.endsWith(".gz") ? gunzipSync(b) : b).toString("utf8");
};
const counts = (y: ArrayLike<number>) => {
  const c: Record<number, number> = {};
  for (let i = 0; i < y.length; i++) c[y[i]] = (c[y[i]] ?? 0) + 1;
  return c;
};

describe("embedded data sets", () => {
  it("digits: 1797 × 64 pixels 0..16, labels 0..9, first image is a 0", () => {
    const { x, y, featureNames, targetNames } = digits();
    expect([x.shape, x.dtype, y.shape, y.dtype]).toEqual([[1797, 64], "float32", [1797], "int32"]);
    expect(Array.from(x.data.subarray(0, 8))).toEqual([0, 0, 5, 13, 9, 1, 0, 0]);
    expect([y.data[0], y.data[1], y.data[1796]]).toEqual([0, 1, 8]);
    expect(Math.max(...x.data)).toBe(16);
    expect(Object.keys(counts(y.data)).length).toBe(10);
    expect([featureNames.length, featureNames[9], targetNames]).toEqual([64, "pixel_1_1", "0123456789".split("")]);
  });

  it("iris: 150 × 4, fifty of each species", () => {
    const { x, y, targetNames } = iris();
    expect([x.shape, y.shape]).toEqual([[150, 4], [150]]);
    expect(Array.from(x.data.subarray(0, 4))).toEqual([5.1, 3.5, 1.4, 0.2].map(Math.fround));
    expect(counts(y.data)).toEqual({ 0: 50, 1: 50, 2: 50 });
    expect(targetNames).toEqual(["setosa", "versicolor", "virginica"]);
  });

  it("breastCancer: 569 × 30, 212 malignant (0) and 357 benign (1)", () => {
    const { x, y, featureNames, targetNames } = breastCancer();
    expect([x.shape, y.shape]).toEqual([[569, 30], [569]]);
    expect(x.data[0]).toBe(Math.fround(17.99));
    expect(x.data[30 * 568 + 29]).toBe(Math.fround(0.07039));
    expect(counts(y.data)).toEqual({ 0: 212, 1: 357 });
    expect([featureNames[0], featureNames[10], featureNames[29], targetNames]).toEqual(["mean radius", "radius error", "worst fractal dimension", ["malignant", "benign"]]);
  });

  it("diabetes: 442 × 10 raw features, float32 targets 25..346", () => {
    const { x, y, featureNames } = diabetes();
    expect([x.shape, y.shape, y.dtype]).toEqual([[442, 10], [442], "float32"]);
    expect(Array.from(x.data.subarray(0, 4))).toEqual([59, 2, 32.1, 101].map(Math.fround));
    expect([y.data[0], Math.min(...y.data), Math.max(...y.data)]).toEqual([151, 25, 346]);
    expect(featureNames[2]).toBe("bmi");
  });

  it("every embedded number equals the copy in data/ read with readCsv", () => {
    const dig = readCsv(file("digits.csv.gz"), { header: false, target: -1 });
    expect(Array.from(digits().x.data)).toEqual(Array.from(dig.x!.data));
    expect(Array.from(digits().y.data)).toEqual(Array.from(dig.y!.data));
    for (const [name, load] of [["iris.csv", iris], ["breast_cancer.csv", breastCancer]] as const) {
      const ref = readCsv(file(name).split("\n").slice(1).join("\n"), { header: false, target: -1 });
      expect(Array.from(load().x.data)).toEqual(Array.from(ref.x!.data));
      expect(Array.from(load().y.data)).toEqual(Array.from(ref.y!.data));
    }
    expect(Array.from(diabetes().x.data)).toEqual(Array.from(readCsv(file("diabetes_data_raw.csv.gz"), { delimiter: "whitespace" }).data.data));
    expect(Array.from(diabetes().y.data)).toEqual(Array.from(readCsv(file("diabetes_target.csv.gz")).data.data));
  });

  it("returns fresh tensors: mutating one result does not change the next", () => {
    const a = digits();
    a.x.data[0] = 99;
    expect(digits().x.data[0]).toBe(0);
  });
});
