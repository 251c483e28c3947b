/* Scorecard charts: each bar or point is a figure; clicking it opens the records it adds up. */
function bangfuCharts(charts) {
  charts.forEach(function (spec) {
    var node = document.getElementById(spec.id);
    if (!node) return;
    var chart = echarts.init(node);
    var trend = spec.kind === "trend";
    chart.setOption({
      tooltip: {trigger: "axis", formatter: function (items) {
        var i = items[0].dataIndex; return spec.categories[i] + ": " + spec.texts[i];
      }},
      grid: {left: 60, right: 16, top: 16, bottom: trend ? 32 : 64},
      xAxis: {type: "category", data: spec.categories, axisLabel: {interval: 0, rotate: trend ? 0 : 30}},
      yAxis: {type: "value"},
      series: [{type: trend ? "line" : "bar", data: spec.values, smooth: false}],
    });
    chart.on("click", function (params) {
      var link = spec.links[params.dataIndex];
      if (link) window.location.href = link;
    });
    window.addEventListener("resize", function () { chart.resize(); });
  });
}

function bangfuCompare(charts) {
  charts.forEach(function (spec) {
    var node = document.getElementById(spec.id);
    if (!node) return;
    var chart = echarts.init(node);
    chart.setOption({
      tooltip: {trigger: "axis"}, legend: {data: [spec.a_name, spec.b_name]},
      grid: {left: 60, right: 16, top: 32, bottom: 80},
      xAxis: {type: "category", data: spec.categories, axisLabel: {interval: 0, rotate: 30}},
      yAxis: {type: "value"},
      series: [{name: spec.a_name, type: "bar", data: spec.a}, {name: spec.b_name, type: "bar", data: spec.b}],
    });
    window.addEventListener("resize", function () { chart.resize(); });
  });
}
