import { describe, expect, it } from "vitest";
import { ValueError } from "../src/errors.js";
import { checkOptions } from "../src/options.js";

describe("checkOptions", () => {
  it("accepts known keys and no options at all", () => {
    expect(() => checkOptions("f", { lr: 1 }, ["lr", "eps"])).not.toThrow();
    expect(() => checkOptions("f", undefined, ["lr"])).not.toThrow();
  });
  it("names an unknown key and the accepted ones", () => {
    expect(() => checkOptions("Adam", { learningRate: 0.01 }, ["lr", "eps"])).toThrow(ValueError);
    expect(() => checkOptions("Adam", { learningRate: 0.01 }, ["lr", "eps"])).toThrow(/unknown option "learningRate".*lr, eps/);
  });
  it("refuses options that are not an object", () => {
    expect(() => checkOptions("f", 3, ["lr"])).toThrow(/options must be an object, got number/);
    expect(() => checkOptions("f", null, ["lr"])).toThrow(/got null/);
    expect(() => checkOptions("f", [1], ["lr"])).toThrow(/got an array/);
  });
});
