// mosaic_router: one routing tile of the Mosaic array (R1 or R0), a binary crossbar of memory devices.
//
// Each side (N, E, S, W) has an input and an output port of Width<Side> parallel lines; a line carries
// the spikes of one source neuron. The crossbar holds one configuration bit per (input line, output
// line): an ON device forwards a spike from input line i to output line j. Outputs are registered, so a
// spike crosses one router per clock cycle (mosaic-reference.md §8):
//
//   out_q[j] <= OR_i (in[i] AND xbar[i][j])
//
// Line numbering inside the crossbar concatenates the sides in MosaicPort order N, E, S, W: input line
// i < WidthN is in_n_i[i], the next WidthE lines are in_e_i, and so on; output lines likewise.
//
// Configuration port (word addressed, 32-bit data, combinational read, write on the clock edge):
//
//   addr[15] = 0 : crossbar memory. addr = {row, word}: row = input line, word w holds output lines
//                  32w .. 32w+31 of that row (bit b = output line 32w+b); WordBits low address bits.
//   addr[15] = 1 : status. 0x8000 + p (p = 0..7, MosaicPort order in_N, in_E, in_S, in_W, out_N, ...,
//                  out_W): spikes counted on that port since the last clear (read only; 32-bit
//                  counters that wrap, as the simulator never runs a port past 2^32 spikes between
//                  clears). An output port is counted at the edge that ends the cycle it presented
//                  its spikes in.
//                  0x8008: bit 0 = sticky collision error; write bit 0 = clear it, bit 1 = clear counters.
//                  0x8009: identity {col_i, row_i}; 0x800A: widths {W, S, E, N}, 8 bits each; so
//                  software can check it addresses the router it meant to (read only).
//   Any other address reads 0 (it aliases nothing). Writes go to the crossbar words and to 0x8008 only,
//   and only while every input line is idle: the CfgWriteInMap and CfgWriteWhenIdle assertions stop a
//   simulation that does otherwise (with --assert), since hardware would lose or half-apply the write.
//
// A collision is two active input lines driving one output line in the same cycle: the output line
// still carries a spike (wired OR), and err_o rises and stays high until cleared. One hop per cycle and
// no back-pressure: the mapping must give every output line at most one source.
//
// The crossbar is stored as rows of WordsPerRow*32 bits; the padding bits of the last word beyond the
// output width are writable and readable but never drive an output.
module mosaic_router #(
  parameter int unsigned WidthN = 32,  // lines per port on the north side (input and output)
  parameter int unsigned WidthE = 32,  // lines per port on the east side
  parameter int unsigned WidthS = 32,  // lines per port on the south side
  parameter int unsigned WidthW = 32   // lines per port on the west side
) (
  input  logic                       clk_i,
  input  logic                       rst_ni,

  // Position in the cell grid (input ports, so one compiled model serves every instance).
  input  logic [7:0]                 row_i,
  input  logic [7:0]                 col_i,

  // Spike lines
  input  logic [WidthN-1:0]          in_n_i,
  input  logic [WidthE-1:0]          in_e_i,
  input  logic [WidthS-1:0]          in_s_i,
  input  logic [WidthW-1:0]          in_w_i,
  output logic [WidthN-1:0]          out_n_o,
  output logic [WidthE-1:0]          out_e_o,
  output logic [WidthS-1:0]          out_s_o,
  output logic [WidthW-1:0]          out_w_o,

  // Configuration port
  input  logic [15:0]                cfg_addr_i,
  input  logic [31:0]                cfg_wdata_i,
  input  logic                       cfg_we_i,
  output logic [31:0]                cfg_rdata_o,

  // Sticky collision flag
  output logic                       err_o
);

  ////////////////
  // Geometry   //
  ////////////////

  localparam int unsigned Lines       = WidthN + WidthE + WidthS + WidthW;
  localparam int unsigned WordsPerRow = (Lines + 31) / 32;
  localparam int unsigned RowBits     = WordsPerRow * 32;
  localparam int unsigned WordBits    = WordsPerRow > 1 ? $clog2(WordsPerRow) : 1;
  localparam int unsigned RowIdxBits  = $clog2(Lines);
  localparam logic [15:0] StatusBase  = 16'h8000;

  ////////////////////////
  // Configuration port //
  ////////////////////////

  logic                  cfg_is_status;
  logic [WordBits-1:0]   cfg_word;
  logic [14-WordBits:0]  cfg_row;
  logic                  cfg_xbar_valid;
  logic [3:0]            cfg_status_sel;

  assign cfg_is_status  = cfg_addr_i[15];
  assign cfg_word       = cfg_addr_i[WordBits-1:0];
  assign cfg_row        = cfg_addr_i[14:WordBits];
  assign cfg_xbar_valid = !cfg_is_status && (32'(cfg_row) < Lines) && (32'(cfg_word) < WordsPerRow);
  assign cfg_status_sel = cfg_addr_i[3:0];
  logic cfg_status_valid; // 0x8000 .. 0x800F exactly: the status words do not repeat above them
  assign cfg_status_valid = cfg_is_status && (cfg_addr_i[14:4] == '0);

  logic [RowIdxBits-1:0] cfg_row_idx;
  assign cfg_row_idx = cfg_row[RowIdxBits-1:0];

  ////////////////////////
  // Crossbar memory    //
  ////////////////////////

  logic [RowBits-1:0] xbar_q [Lines];

  // The devices are non-volatile: reset leaves them alone, software programs every word it relies on.
  always_ff @(posedge clk_i) begin
    if (cfg_we_i && cfg_xbar_valid) begin
      xbar_q[cfg_row_idx][32*cfg_word +: 32] <= cfg_wdata_i;
    end
  end

  ////////////////////////
  // Datapath           //
  ////////////////////////

  // Inputs in 32-line words (zero-padded), so that the crossbar walk can skip idle words at once.
  localparam int unsigned InWords = (Lines + 31) / 32;

  logic [InWords*32-1:0] in_pad;
  assign in_pad = {{(InWords*32-Lines){1'b0}}, in_w_i, in_s_i, in_e_i, in_n_i};

  // The crossbar walk: the wired OR of the rows of the active inputs; a line already driven by an
  // earlier active row and driven again is a collision (result bit Lines). It is evaluated only at the
  // clock edge (in the flop's next-state logic), so a Verilated model spends nothing on it between
  // edges, and an idle 32-line word costs one comparison.
  function automatic logic [Lines:0] route_f(input logic [InWords*32-1:0] in);
    logic [Lines-1:0] out;
    logic             collide;
    out     = '0;
    collide = 1'b0;
    for (int unsigned w = 0; w < InWords; w++) begin
      if (in[32*w +: 32] != 32'd0) begin
        for (int unsigned b = 0; b < 32; b++) begin
          if (in[32*w + b] && 32*w + b < Lines) begin
            collide = collide | (|(out & xbar_q[32*w + b][Lines-1:0]));
            out     = out | xbar_q[32*w + b][Lines-1:0];
          end
        end
      end
    end
    return {collide, out};
  endfunction

  // route_q = {collision in the last cycle, registered outputs}
  logic [Lines:0] route_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      route_q <= '0;
    end else begin
      route_q <= route_f(in_pad);
    end
  end

  logic [Lines-1:0] out_q;
  logic             collide_q;
  assign out_q     = route_q[Lines-1:0];
  assign collide_q = route_q[Lines];

  assign out_n_o = out_q[WidthN-1:0];
  assign out_e_o = out_q[WidthN +: WidthE];
  assign out_s_o = out_q[WidthN+WidthE +: WidthS];
  assign out_w_o = out_q[WidthN+WidthE+WidthS +: WidthW];

  ////////////////////////
  // Counters and error //
  ////////////////////////

  // Spikes per port: in_N .. in_W count the inputs sampled at an edge, out_N .. out_W the outputs the
  // port presented during the cycle that an edge ends (so they equal what the next routers received).
  logic [31:0] count_q [8];
  logic [31:0] port_pop [8];
  logic        err_q;
  logic        clear_err, clear_count;

  assign port_pop[0] = 32'($countones(in_n_i));
  assign port_pop[1] = 32'($countones(in_e_i));
  assign port_pop[2] = 32'($countones(in_s_i));
  assign port_pop[3] = 32'($countones(in_w_i));
  assign port_pop[4] = 32'($countones(out_n_o));
  assign port_pop[5] = 32'($countones(out_e_o));
  assign port_pop[6] = 32'($countones(out_s_o));
  assign port_pop[7] = 32'($countones(out_w_o));

  assign clear_err   = cfg_we_i && cfg_addr_i == StatusBase + 16'd8 && cfg_wdata_i[0];
  assign clear_count = cfg_we_i && cfg_addr_i == StatusBase + 16'd8 && cfg_wdata_i[1];

  for (genvar p = 0; p < 8; p++) begin : g_count
    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) begin
        count_q[p] <= '0;
      end else begin
        count_q[p] <= clear_count ? 32'd0 : count_q[p] + port_pop[p];
      end
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      err_q <= 1'b0;
    end else begin
      err_q <= clear_err ? 1'b0 : (err_q | collide_q);
    end
  end

  // The flag rises with the colliding outputs and stays up until cleared.
  assign err_o = err_q | collide_q;

  ////////////////////////
  // Read mux           //
  ////////////////////////

  logic [31:0] status_rdata;

  always_comb begin
    status_rdata = '0;
    if (cfg_status_sel < 4'd8) begin
      status_rdata = count_q[cfg_status_sel[2:0]];
    end else if (cfg_status_sel == 4'd8) begin
      status_rdata = {31'd0, err_o};
    end else if (cfg_status_sel == 4'd9) begin
      status_rdata = {16'd0, col_i, row_i};
    end else if (cfg_status_sel == 4'd10) begin
      status_rdata = {WidthW[7:0], WidthS[7:0], WidthE[7:0], WidthN[7:0]};
    end
  end

  assign cfg_rdata_o = cfg_status_valid ? status_rdata :
                       cfg_xbar_valid ? xbar_q[cfg_row_idx][32*cfg_word +: 32] : 32'd0;

  ////////////////
  // Assertions //
  ////////////////

  // P11 of the toolchain notes: ports wider than 32 bits become sc_bv / wide words at the C++ boundary.
  if (WidthN > 32 || WidthE > 32 || WidthS > 32 || WidthW > 32 || WidthN == 0 || WidthE == 0 ||
      WidthS == 0 || WidthW == 0) begin : g_width_check
    $error("mosaic_router: every side needs 1 to 32 lines");
  end

  // Software must never write outside the map: such a write would be silently lost in hardware.
  always_ff @(posedge clk_i) begin
    if (cfg_we_i) begin
      CfgWriteInMap: assert (cfg_xbar_valid || cfg_addr_i == StatusBase + 16'd8)
        else $error("mosaic_router (%0d,%0d): configuration write to unmapped address 0x%04x",
                    row_i, col_i, cfg_addr_i);
      // Reprogramming a crossbar while spikes cross it would route them through a half-written row.
      CfgWriteWhenIdle: assert (in_pad == '0)
        else $error("mosaic_router (%0d,%0d): configuration write while input lines carry spikes",
                    row_i, col_i);
    end
  end

endmodule
